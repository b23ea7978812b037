import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import type { Conv2dParams } from '@convkit/core';
import { refConv2d, refConv2dBackward } from '@convkit/reference';
import { compileKernelsSync, createHeap, createKernelMemory, instantiateKernelsSync } from '@convkit/wasm-kernels';
import {
  conv2dBackwardData,
  conv2dBackwardDataWorkspaceBytes,
  conv2dBackwardFilter,
  conv2dBackwardFilterWorkspaceBytes,
  conv2dForward,
  conv2dPath,
  planConv2d,
} from './index.js';
import { expectClose, rand, rng, tol } from '../test/helpers.js';

// 3x3 'same' conv, N=4 C=6 8x8 K=10, bias
const p: Conv2dParams = {
  N: 4, C: 6, K: 10, groups: 1, padMode: 'zeros', flip: false,
  inH: 8, inW: 8, kH: 3, kW: 3, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1,
  padTop: 1, padBottom: 1, padLeft: 1, padRight: 1, outH: 8, outW: 8,
};
const xs = [p.N, p.C, p.inH, p.inW];
const wsh = [p.K, p.C, p.kH, p.kW];
const ys = [p.N, p.K, p.outH, p.outW];
const count = (s: number[]) => s.reduce((a, b) => a * b);

function setup() {
  const memory = createKernelMemory(true, 64);
  const k = instantiateKernelsSync(memory);
  const heap = createHeap(k);
  const r = rng(77);
  const xv = rand(count(xs), r);
  const wv = rand(count(wsh), r);
  const bv = rand(p.K, r);
  const dyv = rand(count(ys), r);
  const x = heap.alloc(xv.length * 4);
  const w = heap.alloc(wv.length * 4);
  const b = heap.alloc(bv.length * 4);
  const dy = heap.alloc(dyv.length * 4);
  const y1 = heap.alloc(count(ys) * 4);
  const y2 = heap.alloc(count(ys) * 4);
  const plan = planConv2d(k, p);
  const wsBytes = Math.max(plan.workspaceBytes, conv2dBackwardDataWorkspaceBytes(k, p), conv2dBackwardFilterWorkspaceBytes(k, p));
  const ws1 = { ptr: heap.alloc(wsBytes), bytes: wsBytes };
  const ws2 = { ptr: heap.alloc(wsBytes), bytes: wsBytes };
  heap.f32(x, xv.length).set(xv);
  heap.f32(w, wv.length).set(wv);
  heap.f32(b, bv.length).set(bv);
  heap.f32(dy, dyv.length).set(dyv);
  return { memory, k, heap, plan, xv, wv, bv, dyv, x, w, b, dy, y1, y2, ws1, ws2, wsBytes };
}

describe('planConv2d: the conv algorithm decided once', () => {
  const k = instantiateKernelsSync();
  // Winograd-eligible: 3x3, stride 1, zero padding, C = K = 8
  const wp: Conv2dParams = { ...p, C: 8, K: 8 };

  it('names the path conv2dPath picks, with the sizes that path uses, frozen', () => {
    const cases: [Conv2dParams, string][] = [
      [wp, 'winograd'],
      [p, 'im2col'],
      [{ ...p, kH: 1, kW: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 }, 'pointwise'],
      [{ ...p, C: 6, K: 6, groups: 6 }, 'depthwise'],
    ];
    for (const [q, path] of cases) {
      const plan = planConv2d(k, q);
      expect(plan.path, path).toBe(path);
      expect(conv2dPath(q), path).toBe(path);
      expect(Object.isFrozen(plan)).toBe(true);
      expect(plan.workspaceBytes).toBeGreaterThanOrEqual(k.gemmWorkspaceBytes + 64);
      expect(plan.fallback === null, path).toBe(path !== 'winograd');
    }
    // im2col: 4 small images side by side in one GEMM (imagesPerGemm), no row chunks
    const im = planConv2d(k, p);
    expect(im.imagesPerGemm).toBe(4);
    expect(im.workspaceBytes).toBe(k.gemmWorkspaceBytes + 64 + (6 * 9 + 10) * 4 * 64 * 4 + 128);
  });

  it('a Winograd plan carries the im2col plan its Inf/NaN images take, and sizes the workspace for both', () => {
    const plan = planConv2d(k, wp);
    const fb = plan.fallback!;
    expect(fb.path).toBe('im2col');
    expect(fb.fallback).toBeNull();
    expect(fb).toEqual(planConv2d(k, wp, false));
    expect(plan.winogradRows).toBe(4);
    // U (16 K C) + V (16 C T) + M (16 K T) floats, T = 4 rows * 4 tiles, each 64-aligned, then the fallback's
    const T = 4 * 4;
    expect(plan.workspaceBytes).toBe(k.gemmWorkspaceBytes + 64 + (16 * 8 * 8 * 4 + 64 + 16 * 8 * T * 4 + 64 + 16 * 8 * T * 4 + 64) + fb.workspaceBytes + 64);
  });

  it('conv2dForward runs the plan it is given (Winograd or its im2col fallback), both right', () => {
    const heap = createHeap(k);
    const r = rng(78);
    const xv = rand(4 * 8 * 64, r);
    const wv = rand(8 * 8 * 9, r);
    const plan = planConv2d(k, wp);
    const ws = { ptr: heap.alloc(plan.workspaceBytes), bytes: plan.workspaceBytes };
    const x = heap.alloc(xv.length * 4), w = heap.alloc(wv.length * 4), y1 = heap.alloc(4 * 8 * 64 * 4), y2 = heap.alloc(4 * 8 * 64 * 4);
    heap.f32(x, xv.length).set(xv);
    heap.f32(w, wv.length).set(wv);
    conv2dForward(k, wp, x, w, 0, y1, 0, wp.N, ws, plan);
    conv2dForward(k, wp, x, w, 0, y2, 0, wp.N, ws, plan.fallback!);
    const ref = refConv2d({ data: xv, shape: [4, 8, 8, 8] }, { data: wv, shape: [8, 8, 3, 3] }, null, {});
    const a = heap.f32(y1, 4 * 8 * 64);
    const b = heap.f32(y2, 4 * 8 * 64);
    expectClose(a, ref.data, 'winograd', tol(72));
    expectClose(b, ref.data, 'im2col', tol(72));
    // two algorithms: different rounding somewhere (the plan, not a second decision, chose each)
    expect(a.some((v, i) => v !== b[i])).toBe(true);
  });
});

describe('pointer drivers on a SHARED memory (the workers contract)', () => {
  it('batch-range split over two instances is bit-identical to one call, and right', () => {
    const s = setup();
    const k2 = instantiateKernelsSync(s.memory); // a second instance on the same memory
    conv2dForward(s.k, p, s.x, s.w, s.b, s.y1, 0, p.N, s.ws1, s.plan);
    conv2dForward(s.k, p, s.x, s.w, s.b, s.y2, 0, 1, s.ws1, s.plan);
    conv2dForward(k2, p, s.x, s.w, s.b, s.y2, 1, p.N, s.ws2, s.plan);
    const a = s.heap.f32(s.y1, count(ys));
    expect(Array.from(s.heap.f32(s.y2, count(ys)))).toEqual(Array.from(a));
    const ref = refConv2d({ data: s.xv, shape: xs }, { data: s.wv, shape: wsh }, { data: s.bv, shape: [p.K] }, {});
    expectClose(a, ref.data, 'y', tol(55));
  });

  it('dx batch split and dW output-channel split are bit-identical to one call', () => {
    const s = setup();
    const k2 = instantiateKernelsSync(s.memory);
    const nx = count(xs);
    conv2dBackwardData(s.k, p, s.w, s.dy, s.y1, 0, p.N, s.ws1);
    conv2dBackwardData(s.k, p, s.w, s.dy, s.y2, 0, 3, s.ws1);
    conv2dBackwardData(k2, p, s.w, s.dy, s.y2, 3, p.N, s.ws2);
    expect(Array.from(s.heap.f32(s.y2, nx))).toEqual(Array.from(s.heap.f32(s.y1, nx)));
    const rg = refConv2dBackward({ data: s.xv, shape: xs }, { data: s.wv, shape: wsh }, { data: s.dyv, shape: ys }, {});
    expectClose(s.heap.f32(s.y1, nx), rg.dx.data, 'dx', tol(90));
    const nw = count(wsh);
    conv2dBackwardFilter(s.k, p, s.x, s.dy, s.y1, 0, p.K, s.ws1);
    conv2dBackwardFilter(s.k, p, s.x, s.dy, s.y2, 0, 4, s.ws1);
    conv2dBackwardFilter(k2, p, s.x, s.dy, s.y2, 4, p.K, s.ws2);
    expect(Array.from(s.heap.f32(s.y2, nw))).toEqual(Array.from(s.heap.f32(s.y1, nw)));
    expectClose(s.heap.f32(s.y1, nw), rg.dw.data, 'dw', tol(256));
  });

  it('dW input-channel split (the workers split) is bit-identical to one call: 3x3, flipped, reflect-padded, 1x1', () => {
    const cases: [string, Conv2dParams][] = [
      ['3x3', p],
      ['3x3 flip', { ...p, flip: true }],
      ['3x3 reflect', { ...p, padMode: 'reflect' }],
      ['1x1', { ...p, kH: 1, kW: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 }],
      ['3x3 groups 2', { ...p, groups: 2 }],
    ];
    for (const [name, q] of cases) {
      const s = setup();
      const k2 = instantiateKernelsSync(s.memory);
      const Cg = q.C / q.groups;
      const nw = q.K * Cg * q.kH * q.kW;
      s.heap.f32(s.y2, nw).fill(NaN);
      conv2dBackwardFilter(s.k, q, s.x, s.dy, s.y1, 0, q.K, s.ws1);
      // uneven channel ranges over two instances, and an empty one that must write nothing
      conv2dBackwardFilter(s.k, q, s.x, s.dy, s.y2, 0, q.K, s.ws1, 0, 1);
      // a range writes its own taps only (another task owns the rest)
      const RS = q.kH * q.kW;
      const part = Array.from(s.heap.f32(s.y2, nw));
      const mine = part.filter((_, i) => Math.floor(i / RS) % Cg === 0);
      const others = part.filter((_, i) => Math.floor(i / RS) % Cg !== 0);
      expect(mine.every(Number.isFinite) && others.every(Number.isNaN), `${name}: channel 0 written, the rest untouched`).toBe(true);
      conv2dBackwardFilter(k2, q, s.x, s.dy, s.y2, 0, q.K, s.ws2, 1, Cg);
      conv2dBackwardFilter(k2, q, s.x, s.dy, s.y2, 0, q.K, s.ws2, 2, 2);
      expect(Array.from(s.heap.f32(s.y2, nw)), name).toEqual(Array.from(s.heap.f32(s.y1, nw)));
      const wq = [q.K, Cg, q.kH, q.kW];
      const opts = {
        groups: q.groups, flip: q.flip, padMode: q.padMode,
        padding: [q.padTop, q.padBottom, q.padLeft, q.padRight] as [number, number, number, number],
      };
      const rg = refConv2dBackward({ data: s.xv, shape: xs }, { data: s.wv.subarray(0, count(wq)), shape: wq }, { data: s.dyv, shape: ys }, opts);
      expectClose(s.heap.f32(s.y2, nw), rg.dw.data, `dw ${name}`, tol(256));
    }
  });

  it('two worker_threads compute halves of the batch on the shared memory concurrently', async () => {
    const s = setup();
    conv2dForward(s.k, p, s.x, s.w, s.b, s.y1, 0, p.N, s.ws1, s.plan);
    const module = compileKernelsSync(true);
    const code = `
      const { parentPort, workerData: d } = require('node:worker_threads');
      (async () => {
        const { instantiateKernelsSync } = await import('@convkit/wasm-kernels');
        const { conv2dForward, planConv2d } = await import('@convkit/backend-wasm/internal');
        const k = instantiateKernelsSync(d.memory, d.module);
        conv2dForward(k, d.p, d.x, d.w, d.b, d.y, d.n0, d.n1, d.ws, planConv2d(k, d.p));
        parentPort.postMessage('done');
      })().catch((e) => parentPort.postMessage(String(e && e.stack || e)));`;
    const half = p.N / 2;
    const jobs = [
      { n0: 0, n1: half, ws: s.ws1 },
      { n0: half, n1: p.N, ws: s.ws2 },
    ].map(
      (j) =>
        new Promise<string>((resolve, reject) => {
          const wk = new Worker(code, { eval: true, workerData: { memory: s.memory, module, p, x: s.x, w: s.w, b: s.b, y: s.y2, ...j } });
          wk.once('message', (m) => {
            void wk.terminate();
            resolve(String(m));
          });
          wk.once('error', reject);
        }),
    );
    expect(await Promise.all(jobs)).toEqual(['done', 'done']);
    expect(Array.from(s.heap.f32(s.y2, count(ys)))).toEqual(Array.from(s.heap.f32(s.y1, count(ys))));
  });
});
