import type { DataId, Im2colParams } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { kernelSource, lit, padMap, unflatten } from '../source.js';

/**
 * Expression snippet reading the padded input at (n, c, iy, ix) into `v` (CONVENTIONS.md: zero,
 * replicate, circular or reflect padding). `x` is [N, C, H, W].
 */
export function readPadded(v: string, x: string, n: string, c: string, iy: string, ix: string, C: number, H: number, W: number, mode: Im2colParams['padMode']): string {
  return [
    padMap(`${v}_y`, `${v}_oky`, iy, H, mode),
    padMap(`${v}_x`, `${v}_okx`, ix, W, mode),
    `let ${v} = 0.0;`,
    `if (${v}_oky * ${v}_okx > 0.5) { ${v} = ${x}[((${n} * ${lit(C)} + ${c}) * ${lit(H)} + ${v}_y) * ${lit(W)} + ${v}_x]; }`,
  ].join('\n');
}

/** Kernel source: columns [N, C*kH*kW, outH*outW] of x [N, C, H, W]. */
export function im2colSource(p: Im2colParams): string {
  const { N, C, inH: H, inW: W, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  return kernelSource(
    ['x'],
    `${unflatten('t', ['n', 'c', 'ky', 'kx', 'oy', 'ox'], [N, C, kH, kW, outH, outW])}
let iy = oy * ${lit(strideH)} + ky * ${lit(dilationH)} - ${lit(padTop)};
let ix = ox * ${lit(strideW)} + kx * ${lit(dilationW)} - ${lit(padLeft)};
${readPadded('v', 'x', 'n', 'c', 'iy', 'ix', C, H, W, p.padMode)}
return v;`,
  );
}

export function im2colSize(p: Im2colParams): number {
  return p.N * p.C * p.kH * p.kW * p.outH * p.outW;
}

export async function im2col(rt: GpujsRuntime, x: DataId, p: Im2colParams): Promise<DataId> {
  const size = im2colSize(p);
  return rt.out(await rt.engine.run('im2col', im2colSource(p), size, [await rt.f(x)]), size);
}
