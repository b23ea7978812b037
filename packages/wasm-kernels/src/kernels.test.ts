import { describe, expect, it } from 'vitest';
import { mulberry32, refGemm, refIm2col, refMaxpool2d, refConv2d } from '@convkit/reference';
import {
  WasmHeap,
  compileKernelsSync,
  createHeap,
  createKernelMemory,
  instantiateKernels,
  instantiateKernelsSync,
  kernelsWasmBytes,
  simdUnavailableReason,
} from './index.js';

const rng = mulberry32;
const rand = (n: number, r: () => number) => Float32Array.from({ length: n }, () => r() * 2 - 1);

/** |got - want| <= t + t*|want| for every element, with t = 1e-4 scaled by the reduction length past 512. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, reduction: number, what: string): void {
  const t = 1e-4 * Math.max(1, reduction / 512);
  expect(got.length).toBe(want.length);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) - t * Math.abs(want[i]!);
    if (!(err <= t) && (worst < 0 || err > worstErr)) {
      worst = i;
      worstErr = err;
    }
  }
  expect(worst, `${what}: worst at ${worst}: got ${got[worst]} want ${want[worst]}`).toBe(-1);
}

describe('module', () => {
  it('SIMD validates here, and the modules import (not define) their memory', () => {
    expect(simdUnavailableReason()).toBeNull();
    for (const shared of [false, true]) {
      const mod = compileKernelsSync(shared);
      expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      expect(WebAssembly.Module.exports(mod).map((e) => e.name)).toContain('sgemm');
      expect(kernelsWasmBytes(shared).byteLength).toBeGreaterThan(1000);
    }
  });

  it('the shared build runs on a SharedArrayBuffer memory; the plain build refuses it', async () => {
    const mem = createKernelMemory(true, 4);
    expect(mem.buffer).toBeInstanceOf(SharedArrayBuffer);
    const k = await instantiateKernels(mem);
    expect(k.shared).toBe(true);
    expect(() => new WebAssembly.Instance(compileKernelsSync(false), { env: { memory: mem } })).toThrow();
  });
});

describe('sgemm (strided operands) vs the float64 reference', () => {
  const k = instantiateKernelsSync();
  const heap = createHeap(k);
  const ws = heap.alloc(k.gemmWorkspaceBytes);
  const cases: Array<[number, number, number, boolean, boolean, number, number]> = [
    [1, 1, 1, false, false, 1, 0],
    [4, 8, 16, false, false, 1, 0],
    [5, 9, 3, true, false, 1, 0],
    [13, 21, 37, false, true, -0.5, 0],
    [81, 1031, 40, false, false, 1, 1], // > MC rows, > NC columns
    [7, 33, 600, true, true, 2, 0.5], // three depth blocks
    [64, 70, 257, false, true, 1, 1], // depth just past one block
  ];
  for (const [m, n, kk, ta, tb, alpha, beta] of cases) {
    it(`${m}x${n}x${kk} transA=${ta} transB=${tb} alpha=${alpha} beta=${beta}`, () => {
      const r = rng(m * 7 + n * 3 + kk);
      const A = rand(m * kk, r);
      const B = rand(kk * n, r);
      const C0 = rand(m * n, r);
      const pa = heap.alloc(A.length * 4);
      const pb = heap.alloc(B.length * 4);
      const pc = heap.alloc(C0.length * 4);
      heap.f32(pa, A.length).set(A);
      heap.f32(pb, B.length).set(B);
      // beta = 0 must not read C: fill it with NaN
      heap.f32(pc, C0.length).set(beta === 0 ? C0.map(() => NaN) : C0);
      const [rsA, csA] = ta ? [1, m] : [kk, 1];
      const [rsB, csB] = tb ? [1, kk] : [n, 1];
      k.exports.sgemm(m, n, kk, alpha, pa, rsA, csA, pb, rsB, csB, beta, pc, n, ws);
      const ref = refGemm(
        { data: A, shape: ta ? [kk, m] : [m, kk] },
        { data: B, shape: tb ? [n, kk] : [kk, n] },
        { transA: ta, transB: tb, alpha, beta, c: beta !== 0 ? { data: C0, shape: [m, n] } : undefined },
      );
      expectClose(heap.f32(pc, m * n), ref.data, kk * Math.abs(alpha) + 1, 'C');
      for (const p of [pa, pb, pc]) heap.free(p);
    });
  }

  it('writes only its m x n block of a wider C (ldc > n)', () => {
    const r = rng(3);
    const A = rand(6 * 5, r);
    const B = rand(5 * 10, r);
    const pa = heap.alloc(A.length * 4);
    const pb = heap.alloc(B.length * 4);
    const pc = heap.alloc(8 * 16 * 4);
    heap.f32(pa, A.length).set(A);
    heap.f32(pb, B.length).set(B);
    heap.f32(pc, 8 * 16).fill(7);
    k.exports.sgemm(6, 10, 5, 1, pa, 5, 1, pb, 10, 1, 0, pc + (16 + 2) * 4, 16, ws);
    const c = heap.f32(pc, 8 * 16);
    const ref = refGemm({ data: A, shape: [6, 5] }, { data: B, shape: [5, 10] });
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 16; j++) {
        const inside = i >= 1 && i < 7 && j >= 2 && j < 12;
        if (inside) expect(Math.abs(c[i * 16 + j]! - ref.data[(i - 1) * 10 + j - 2]!)).toBeLessThan(1e-5);
        else expect(c[i * 16 + j]).toBe(7);
      }
    }
  });
});

describe('im2col, depthwise, maxpool kernels', () => {
  const k = instantiateKernelsSync();
  const heap = createHeap(k);

  it('im2colImage (zero padding, stride 2, dilation 2, explicit pads) matches the reference', () => {
    const r = rng(11);
    const [C, H, W, kH, kW] = [3, 9, 10, 3, 2];
    const x = rand(C * H * W, r);
    const o = { kernel: [kH, kW] as [number, number], stride: [2, 1] as [number, number], dilation: [2, 2] as [number, number], padding: [2, 1, 1, 2] as const };
    const ref = refIm2col({ data: x, shape: [1, C, H, W] }, o);
    const L = ref.shape[2]!;
    const outW = Math.floor((W + 1 + 2 - 2 * (kW - 1) - 1) / 1) + 1;
    const px = heap.alloc(x.length * 4);
    const pc = heap.alloc(ref.data.length * 4);
    heap.f32(px, x.length).set(x);
    heap.f32(pc, ref.data.length).fill(NaN);
    k.exports.im2colImage(px, H, W, kH, kW, 2, 1, 2, 2, 2, 1, outW, 0, C, 0, L / outW, pc, L);
    expect(Array.from(heap.f32(pc, ref.data.length))).toEqual(Array.from(ref.data));
  });

  it('depthwisePlane (5x5, stride 1, wide rows: SIMD interior + borders) matches the reference', () => {
    const r = rng(12);
    const [H, W] = [11, 23];
    const x = rand(H * W, r);
    const w = rand(25, r);
    const ref = refConv2d({ data: x, shape: [1, 1, H, W] }, { data: w, shape: [1, 1, 5, 5] }, { data: [0.25], shape: [1] });
    const px = heap.alloc(x.length * 4);
    const pw = heap.alloc(w.length * 4);
    const py = heap.alloc(H * W * 4);
    heap.f32(px, x.length).set(x);
    heap.f32(pw, w.length).set(w);
    k.exports.depthwisePlane(px, H, W, pw, 0.25, 5, 5, 1, 1, 1, 1, 2, 2, H, W, py);
    expectClose(heap.f32(py, H * W), ref.data, 26, 'y');
  });

  it('maxpoolPlanes: ties to the first, NaN wins (last NaN), out-of-image skipped, global indices', () => {
    const [P, H, W] = [2, 5, 6];
    const x = Float32Array.from({ length: P * H * W }, (_, i) => (i % 4 === 0 ? 1 : -i));
    x[7] = NaN;
    x[8] = NaN;
    const ref = refMaxpool2d({ data: x, shape: [1, P, H, W] }, { kernel: 3, stride: 2 });
    const [outH, outW] = [ref.y.shape[2]!, ref.y.shape[3]!];
    const px = heap.alloc(x.length * 4);
    const py = heap.alloc(P * outH * outW * 4);
    const pi = heap.alloc(P * outH * outW * 4);
    heap.f32(px, x.length).set(x);
    k.exports.maxpoolPlanes(px, P, H, W, 3, 3, 2, 2, 1, 1, 1, 1, outH, outW, py, pi, 0);
    expect(Array.from(heap.i32(pi, P * outH * outW))).toEqual(Array.from(ref.indices.data));
    expect(Array.from(heap.f32(py, P * outH * outW))).toEqual(Array.from(ref.y.data));
  });
});

describe('WasmHeap', () => {
  it('allocates aligned, reuses and coalesces freed blocks, grows the memory', () => {
    const mem = new WebAssembly.Memory({ initial: 1 });
    const h = new WasmHeap(mem, 100);
    const a = h.alloc(10);
    const b = h.alloc(100);
    const c = h.alloc(1000);
    for (const p of [a, b, c]) expect(p % 64).toBe(0);
    expect(a).toBeGreaterThanOrEqual(100);
    expect(b).toBeGreaterThanOrEqual(a + 64);
    h.free(a);
    h.free(b);
    // a and b coalesced: a 160-byte request fits where they were
    expect(h.alloc(160)).toBe(a);
    const big = h.alloc(200_000);
    expect(mem.buffer.byteLength).toBeGreaterThanOrEqual(big + 200_000);
    expect(h.liveBlocks).toBe(3);
    h.free(big);
    h.free(c);
    expect(h.liveBlocks).toBe(1);
    // freed top block is reused from its start
    expect(h.alloc(300_000)).toBe(c);
  });
});
