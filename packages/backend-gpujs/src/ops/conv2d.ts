import type { Conv2dParams, DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import type { Handle } from '../engine.js';
import { divmod, kernelSource, lit, unflatten } from '../source.js';
import { dotLoop } from './gemm.js';
import { im2colSize, im2colSource, readPadded } from './im2col.js';
import { convJob, tiledFits } from '../webgpu/kernels.js';

export type ConvAlgorithm = 'auto' | 'direct' | 'im2col';

/**
 * 'auto': the direct kernel for grouped / depthwise convolutions, for few filters (K <= 4) and
 * when the columns tensor would be large (> 2^22 elements); otherwise it follows what measured
 * faster per engine (scripts/speed.mjs, 10x16x32x64 * 32x16x3x3, forward + read, on this 2-core
 * machine under load): on the wasm engine im2col + GEMM (0.68 s vs 1.04 s direct), on GL / WebGPU
 * the direct kernel (headless-gl on llvmpipe: 1.52 s vs 3.11 s im2col; the fragment-shader GEMM has
 * no shared memory to reuse the columns from).
 */
export function pickAlgorithm(p: Conv2dParams, algo: ConvAlgorithm, mode: string): 'direct' | 'im2col' {
  if (algo !== 'auto') return algo;
  if (p.groups > 1 || p.K <= 4) return 'direct';
  if (im2colSize(p) > 2 ** 22) return 'direct';
  return mode === 'webasm' ? 'im2col' : 'direct';
}

/** Flat index of weight (k, c, ky, kx) in w [K, Cg, kH, kW], flipped in both axes when p.flip. */
export function wIndex(p: Conv2dParams, k: string, c: string, ky: string, kx: string): string {
  const Cg = p.C / p.groups;
  const ry = p.flip ? `(${lit(p.kH - 1)} - ${ky})` : ky;
  const rx = p.flip ? `(${lit(p.kW - 1)} - ${kx})` : kx;
  return `((${k} * ${lit(Cg)} + ${c}) * ${lit(p.kH)} + ${ry}) * ${lit(p.kW)} + ${rx}`;
}

/** Weights flipped in both spatial axes (for the im2col paths with flip). A new handle. */
export async function flipWeights(rt: GpujsRuntime, hw: Handle, p: Conv2dParams): Promise<Handle> {
  const Cg = p.C / p.groups;
  const size = p.K * Cg * p.kH * p.kW;
  const src = kernelSource(
    ['w'],
    `${unflatten('t', ['kc', 'ky', 'kx'], [p.K * Cg, p.kH, p.kW])}
return w[(kc * ${lit(p.kH)} + ${lit(p.kH - 1)} - ky) * ${lit(p.kW)} + ${lit(p.kW - 1)} - kx];`,
  );
  return rt.engine.run('conv2d.flip', src, size, [hw]);
}

function directSource(p: Conv2dParams, hasBias: boolean): string {
  const { N, C, K, groups, inH: H, inW: W, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  return kernelSource(
    hasBias ? ['x', 'w', 'bias'] : ['x', 'w'],
    `${unflatten('t', ['n', 'k', 'oy', 'ox'], [N, K, outH, outW])}
${divmod('g', 'kg', 'k', Kg)}
let acc = 0.0;
for (let c = 0.0; c < ${lit(Cg)}; c++) {
  let ch = g * ${lit(Cg)} + c;
  for (let ky = 0.0; ky < ${lit(kH)}; ky++) {
    let iy = oy * ${lit(strideH)} + ky * ${lit(dilationH)} - ${lit(padTop)};
    for (let kx = 0.0; kx < ${lit(kW)}; kx++) {
      let ix = ox * ${lit(strideW)} + kx * ${lit(dilationW)} - ${lit(padLeft)};
      ${readPadded('v', 'x', 'n', 'ch', 'iy', 'ix', C, H, W, p.padMode)}
      acc = acc + w[${wIndex(p, 'k', 'c', 'ky', 'kx')}] * v;
    }
  }
}
${hasBias ? 'acc = acc + bias[k];' : ''}
return acc;`,
  );
}

/** y[n, k, p] = bias[k] + sum_j w[k, j] * cols[n, g*CRSg + j, p]: a batched, grouped GEMM. */
function colsGemmSource(p: Conv2dParams, hasBias: boolean): string {
  const { N, C, K, groups, kH, kW, outH, outW } = p;
  const CRSg = (C / groups) * kH * kW;
  const CRS = C * kH * kW;
  const P = outH * outW;
  const Kg = K / groups;
  return kernelSource(
    hasBias ? ['cols', 'w', 'bias'] : ['cols', 'w'],
    `${unflatten('t', ['n', 'k', 'pp'], [N, K, P])}
${divmod('g', 'kg', 'k', Kg)}
let wb = k * ${lit(CRSg)};
let cb = (n * ${lit(CRS)} + g * ${lit(CRSg)}) * ${lit(P)} + pp;
${dotLoop('acc', CRSg, (j) => `wb + ${j}`, (j) => `cb + ${j} * ${lit(P)}`, 'w', 'cols')}
${hasBias ? 'let r = acc + bias[k];' : 'let r = acc;'}
return r;`,
  );
}

/**
 * On webgpu with convAlgorithm 'auto' the convolution is the implicit-GEMM WGSL kernel (one
 * dispatch, no columns tensor, every pad mode / groups / flip); 'direct' and 'im2col' keep the
 * gpu.js-language kernels on every engine.
 */
export function useImplicitGemm(rt: GpujsRuntime, p: Conv2dParams): boolean {
  const wg = rt.engine.webgpu;
  return !!wg && rt.convAlgorithm === 'auto' && tiledFits(p.K / p.groups, p.N * p.outH * p.outW, p.groups, wg.maxGroups);
}

/** The algorithm is the backend's `convAlgorithm` option (rt.convAlgorithm). */
export async function conv2d(rt: GpujsRuntime, x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): Promise<DataId> {
  const size = p.N * p.K * p.outH * p.outW;
  const hx = await rt.f(x);
  const hw = await rt.f(w);
  const hb = bias ? await rt.f(bias) : null;
  if (useImplicitGemm(rt, p)) {
    const [y] = await rt.engine.wgsl([{ ...convJob(p, !!hb), inputs: hb ? [hx, hw, hb] : [hx, hw] }], [size]);
    return rt.out(y, size);
  }
  if (pickAlgorithm(p, rt.convAlgorithm, rt.engine.mode) === 'direct') {
    const args = hb ? [hx, hw, hb] : [hx, hw];
    // each output loads its Cg*kH*kW window of x and of w (+ bias)
    const reads = 4 * size * (2 * (p.C / p.groups) * p.kH * p.kW + (hb ? 1 : 0));
    return rt.out(await rt.engine.run('conv2d.direct', directSource(p, !!hb), size, args, reads), size);
  }
  // im2col -> GEMM (+ bias), intermediates stay on the device and are freed here
  const colsSize = im2colSize(p);
  const temps: [Handle, number][] = [];
  try {
    const cols = await rt.engine.run('conv2d.im2col', im2colSource(p), colsSize, [hx]);
    temps.push([cols, colsSize]);
    let wUse = hw;
    if (p.flip) {
      wUse = await flipWeights(rt, hw, p);
      temps.push([wUse, p.K * (p.C / p.groups) * p.kH * p.kW]);
    }
    const args = hb ? [cols, wUse, hb] : [cols, wUse];
    return rt.out(await rt.engine.run('conv2d.gemm', colsGemmSource(p, !!hb), size, args), size);
  } finally {
    for (const [h, n] of temps) rt.free(h, n);
  }
}
