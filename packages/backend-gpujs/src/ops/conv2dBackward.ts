import type { Conv2dBackwardResult, Conv2dBackwardWants, Conv2dParams, DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import type { Handle } from '../engine.js';
import { divmod, kernelSource, lit, unflatten } from '../source.js';
import { col2imSource, gatherLoops } from './col2im.js';
import { flipWeights, pickAlgorithm, wIndex } from './conv2d.js';
import { dotLoop } from './gemm.js';
import { im2colSize, im2colSource, readPadded } from './im2col.js';
import { convDwJobs, convDxJob, tiledFits } from '../webgpu/kernels.js';

/** db[k] = sum of dy over batch and space. */
function dbSource(p: Conv2dParams): string {
  const P = p.outH * p.outW;
  return kernelSource(
    ['dy'],
    `let s = 0.0;
for (let n = 0.0; n < ${lit(p.N)}; n++) {
  let base = (n * ${lit(p.K)} + t) * ${lit(P)};
  let sn = 0.0;
  for (let q = 0.0; q < ${lit(P)}; q++) { sn = sn + dy[base + q]; }
  s = s + sn;
}
return s;`,
  );
}

/** dw[k, c, ky, kx] = sum_n sum_(oy,ox) dy[n, k, oy, ox] * xpad(n, g*Cg + c, tap (ky, kx)), flip-aware. */
function dwDirectSource(p: Conv2dParams): string {
  const { N, C, K, groups, inH: H, inW: W, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  const tapY = p.flip ? `(${lit(kH - 1)} - ky)` : 'ky';
  const tapX = p.flip ? `(${lit(kW - 1)} - kx)` : 'kx';
  return kernelSource(
    ['x', 'dy'],
    `${unflatten('t', ['k', 'c', 'ky', 'kx'], [K, Cg, kH, kW])}
${divmod('g', 'kg', 'k', Kg)}
let ch = g * ${lit(Cg)} + c;
let s = 0.0;
for (let n = 0.0; n < ${lit(N)}; n++) {
  for (let oy = 0.0; oy < ${lit(outH)}; oy++) {
    let iy = oy * ${lit(strideH)} + ${tapY} * ${lit(dilationH)} - ${lit(padTop)};
    let rowb = ((n * ${lit(K)} + k) * ${lit(outH)} + oy) * ${lit(outW)};
    for (let ox = 0.0; ox < ${lit(outW)}; ox++) {
      let ix = ox * ${lit(strideW)} + ${tapX} * ${lit(dilationW)} - ${lit(padLeft)};
      ${readPadded('v', 'x', 'n', 'ch', 'iy', 'ix', C, H, W, p.padMode)}
      s = s + dy[rowb + ox] * v;
    }
  }
}
return s;`,
  );
}

/**
 * dx in gather form, fused with W^T dy: each input pixel walks the (tap, output) pairs that read
 * it (every pad mode, see col2im.ts) and sums w * dy over the filters of its group.
 */
function dxDirectSource(p: Conv2dParams): string {
  const { N, C, K, groups, inH: H, inW: W, outH, outW } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  const body = `for (let kk = 0.0; kk < ${lit(Kg)}; kk++) {
  let kf = g * ${lit(Kg)} + kk;
  s = s + w[${wIndex(p, 'kf', 'cl', 'ky', 'kx')}] * dy[((n * ${lit(K)} + kf) * ${lit(outH)} + oy) * ${lit(outW)} + ox];
}`;
  return kernelSource(
    ['w', 'dy'],
    `${unflatten('t', ['n', 'c', 'iy', 'ix'], [N, C, H, W])}
${divmod('g', 'cl', 'c', Cg)}
let s = 0.0;
${gatherLoops(p, 'iy', 'ix', body)}
return s;`,
  );
}

/** im2col path: dw[k, j] = sum_n sum_p dy[n, k, p] * cols[n, g*CRSg + j, p]. */
function dwColsSource(p: Conv2dParams): string {
  const { N, C, K, groups, kH, kW, outH, outW } = p;
  const CRSg = (C / groups) * kH * kW;
  const CRS = C * kH * kW;
  const P = outH * outW;
  return kernelSource(
    ['dy', 'cols'],
    `${unflatten('t', ['k', 'j'], [K, CRSg])}
${divmod('g', 'kg', 'k', K / groups)}
let s = 0.0;
for (let n = 0.0; n < ${lit(N)}; n++) {
  let db0 = (n * ${lit(K)} + k) * ${lit(P)};
  let cb0 = (n * ${lit(CRS)} + g * ${lit(CRSg)} + j) * ${lit(P)};
  ${dotLoop('sn', P, (q) => `db0 + ${q}`, (q) => `cb0 + ${q}`, 'dy', 'cols')}
  s = s + sn;
}
return s;`,
  );
}

/** im2col path: dcols[n, g*CRSg + j, p] = sum_(k in group g) w[k, j] * dy[n, k, p]. */
function dcolsSource(p: Conv2dParams): string {
  const { N, C, K, groups, kH, kW, outH, outW } = p;
  const CRSg = (C / groups) * kH * kW;
  const P = outH * outW;
  const Kg = K / groups;
  return kernelSource(
    ['w', 'dy'],
    `${unflatten('t', ['n', 'g', 'j', 'pp'], [N, groups, CRSg, P])}
let wb = g * ${lit(Kg * CRSg)} + j;
let db0 = (n * ${lit(K)} + g * ${lit(Kg)}) * ${lit(P)} + pp;
${dotLoop('s', Kg, (kk) => `wb + ${kk} * ${lit(CRSg)}`, (kk) => `db0 + ${kk} * ${lit(P)}`, 'w', 'dy')}
return s;`,
  );
}

export async function conv2dBackward(
  rt: GpujsRuntime,
  x: DataId,
  w: DataId,
  dy: DataId,
  p: Conv2dParams,
  wants: Conv2dBackwardWants,
): Promise<Conv2dBackwardResult> {
  const algo = rt.convAlgorithm;
  const Cg = p.C / p.groups;
  const wSize = p.K * Cg * p.kH * p.kW;
  const xSize = p.N * p.C * p.inH * p.inW;
  const hdy = await rt.f(dy);
  const P = p.N * p.outH * p.outW;
  const out: Conv2dBackwardResult = {};
  const made: DataId[] = [];
  const temps: [Handle, number][] = [];
  const useCols = pickAlgorithm(p, algo, rt.engine.mode) === 'im2col';
  try {
    if (wants.db) {
      // modeled loads (memory() bytesRead): each db thread reads its N*outH*outW values of dy
      out.db = rt.out(await rt.engine.run('conv2dBackward.db', dbSource(p), p.K, [hdy], 4 * p.K * P), p.K);
      made.push(out.db);
    }
    if (wants.dw) {
      const hx = await rt.f(x);
      const wg = rt.engine.webgpu;
      if (wg && algo === 'auto' && tiledFits(p.K / p.groups, Cg * p.kH * p.kW, p.groups, wg.maxGroups)) {
        // webgpu: dW = dy x cols^T as an implicit-GEMM WGSL kernel (the columns gathered from x in
        // the tile loads), split-K with a reduction dispatch when the M x N grid is small
        const { jobs, outputs } = convDwJobs(p);
        jobs[0] = { ...jobs[0]!, inputs: [hx, hdy] };
        const [dwh, ...parts] = await rt.engine.wgsl(jobs, outputs);
        for (const [i, h] of parts.entries()) temps.push([h, outputs[i + 1]!]);
        out.dw = rt.out(dwh, wSize);
      } else if (useCols) {
        const colsSize = im2colSize(p);
        const cols = await rt.engine.run('conv2dBackward.im2col', im2colSource(p), colsSize, [hx]);
        temps.push([cols, colsSize]);
        const dwf = await rt.engine.run('conv2dBackward.dwgemm', dwColsSource(p), wSize, [hdy, cols]);
        if (p.flip) {
          // the GEMM gives the gradient of the flipped weights; flip it back
          temps.push([dwf, wSize]);
          out.dw = rt.out(await flipWeights(rt, dwf, p), wSize);
        } else {
          out.dw = rt.out(dwf, wSize);
        }
      } else {
        // each dw thread reads N*outH*outW values of x and of dy
        out.dw = rt.out(await rt.engine.run('conv2dBackward.dw', dwDirectSource(p), wSize, [hx, hdy], 4 * wSize * 2 * P), wSize);
      }
      made.push(out.dw);
    }
    if (wants.dx) {
      const hw = await rt.f(w);
      const wg = rt.engine.webgpu;
      if (wg && algo === 'auto' && p.padMode === 'zeros' && tiledFits(Cg, p.N * p.inH * p.inW, p.groups, wg.maxGroups)) {
        // webgpu: dx = W^T dy as an implicit-GEMM WGSL kernel (a transposed convolution, one dispatch)
        const [dxh] = await rt.engine.wgsl([{ ...convDxJob(p), inputs: [hw, hdy] }], [xSize]);
        out.dx = rt.out(dxh, xSize);
      } else if (useCols) {
        let wUse = hw;
        if (p.flip) {
          wUse = await flipWeights(rt, hw, p);
          temps.push([wUse, wSize]);
        }
        const colsSize = im2colSize(p);
        const dcols = await rt.engine.run('conv2dBackward.dcols', dcolsSource(p), colsSize, [wUse, hdy]);
        temps.push([dcols, colsSize]);
        out.dx = rt.out(await rt.engine.run('conv2dBackward.col2im', col2imSource(p), xSize, [dcols]), xSize);
      } else {
        // each dx thread reads about kH*kW/(strideH*strideW) taps of Kg weights and Kg dy values
        const taps = (p.kH * p.kW) / (p.strideH * p.strideW);
        out.dx = rt.out(await rt.engine.run('conv2dBackward.dx', dxDirectSource(p), xSize, [hw, hdy], Math.round(4 * xSize * 2 * (p.K / p.groups) * taps)), xSize);
      }
      made.push(out.dx);
    }
    return out;
  } catch (e) {
    for (const id of made) rt.disposeData(id);
    throw e;
  } finally {
    for (const [h, n] of temps) rt.free(h, n);
  }
}
