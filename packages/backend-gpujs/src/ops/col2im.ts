import type { DataId, Im2colParams } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { divmod, fresh, kernelSource, lit, padMap, unflatten } from '../source.js';

/**
 * Gather-form col2im: each input pixel sums every column entry that im2col read from it, so no
 * two threads write one place (no atomics). Along each axis the padded coordinates that map to
 * pixel i are i itself plus, for replicate / circular / reflect padding, those positions in the
 * before/after padding whose pad map lands on i; for each of them and each kernel tap ky the
 * output row is (pos + padTop - ky*dilation) / stride when that divides exactly and is in range.
 * This is the adjoint of im2col for every pad mode (CONVENTIONS.md).
 */
export interface AxisGather {
  /** number of candidate padded positions (1 for zero padding) */
  count: number;
  /** snippet declaring `${pos}` for candidate `${e}` and `${ok}` = 1.0 when it maps to `${i}` */
  candidate(pos: string, ok: string, e: string, i: string): string;
}

export function axisGather(size: number, k: number, stride: number, dilation: number, padBefore: number, out: number, mode: Im2colParams['padMode']): AxisGather {
  const maxPos = (out - 1) * stride + (k - 1) * dilation - padBefore;
  const extraAfter = Math.max(0, maxPos - (size - 1));
  const count = mode === 'zeros' ? 1 : 1 + padBefore + extraAfter;
  return {
    count,
    candidate(pos, ok, e, i) {
      if (count === 1) return `let ${pos} = ${i}; let ${ok} = 1.0;`;
      const j = fresh('pj');
      const okp = fresh('pok');
      return `let ${pos} = ${i};
if (${e} > 0.5) { if (${e} <= ${lit(padBefore)}) { ${pos} = ${e} - 1.0 - ${lit(padBefore)}; } else { ${pos} = ${lit(size)} + ${e} - 1.0 - ${lit(padBefore)}; } }
${padMap(j, okp, pos, size, mode)}
let ${ok} = 0.0; if (${okp} > 0.5 && ${j} == ${i}) { ${ok} = 1.0; }`;
    },
  };
}

/**
 * Snippet: loops over the window taps (ky, kx) and outputs (oy, ox) that read input (iy, ix),
 * running `body` for each with ky, kx, oy, ox declared (floats).
 */
export function gatherLoops(p: Im2colParams, iy: string, ix: string, body: string): string {
  const gy = axisGather(p.inH, p.kH, p.strideH, p.dilationH, p.padTop, p.outH, p.padMode);
  const gx = axisGather(p.inW, p.kW, p.strideW, p.dilationW, p.padLeft, p.outW, p.padMode);
  return `for (let ey = 0.0; ey < ${lit(gy.count)}; ey++) {
${gy.candidate('py', 'okpy', 'ey', iy)}
if (okpy > 0.5) {
for (let ky = 0.0; ky < ${lit(p.kH)}; ky++) {
let numy = py + ${lit(p.padTop)} - ky * ${lit(p.dilationH)};
${divmod('oy', 'remy', 'numy', p.strideH)}
if (remy == 0.0 && oy >= 0.0 && oy < ${lit(p.outH)}) {
for (let ex = 0.0; ex < ${lit(gx.count)}; ex++) {
${gx.candidate('px', 'okpx', 'ex', ix)}
if (okpx > 0.5) {
for (let kx = 0.0; kx < ${lit(p.kW)}; kx++) {
let numx = px + ${lit(p.padLeft)} - kx * ${lit(p.dilationW)};
${divmod('ox', 'remx', 'numx', p.strideW)}
if (remx == 0.0 && ox >= 0.0 && ox < ${lit(p.outW)}) {
${body}
}
}
}
}
}
}
}
}`;
}

export function col2imSource(p: Im2colParams): string {
  const { N, C, inH: H, inW: W, kH, kW, outH, outW } = p;
  const P = outH * outW;
  return kernelSource(
    ['cols'],
    `${unflatten('t', ['n', 'c', 'iy', 'ix'], [N, C, H, W])}
let s = 0.0;
${gatherLoops(p, 'iy', 'ix', `s = s + cols[(((n * ${lit(C)} + c) * ${lit(kH)} + ky) * ${lit(kW)} + kx) * ${lit(P)} + oy * ${lit(outW)} + ox];`)}
return s;`,
  );
}

export async function col2im(rt: GpujsRuntime, cols: DataId, p: Im2colParams): Promise<DataId> {
  const size = p.N * p.C * p.inH * p.inW;
  return rt.out(await rt.engine.run('col2im', col2imSource(p), size, [await rt.f(cols)]), size);
}
