// maxpoolPlanes against the float64 reference (refMaxpool2d): every SIMD path (2x2 rows, 3x3/2
// column strips, the generic strips) and every edge path (the copies standing in for positions
// outside: 3x3/2 pad-1 left column and top row, bottom rows past odd heights, the 2x2 last column
// past odd widths), with data that exercise the scan's rules: ties (small integers), -0/+0 ties
// (values compared bit for bit), NaN (the last NaN wins), +-Inf (the NaN check's false positives).
import { describe, expect, it } from 'vitest';
import { mulberry32, refMaxpool2d, refWindow, type Padding } from '@convkit/reference';
import { createHeap, instantiateKernelsSync } from './index.js';

type Fill = 'uniform' | 'ties' | 'zeros' | 'nan' | 'inf' | 'edge-nan';

function data(n: number, H: number, W: number, fill: Fill, seed: number): Float32Array {
  const r = mulberry32(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    if (fill === 'ties') x[i] = Math.floor(u * 3) - 1;
    else if (fill === 'zeros') x[i] = u < 0.5 ? 0 : -0;
    else x[i] = u * 2 - 1;
    if (fill === 'nan' && r() < 0.03) x[i] = NaN;
    if (fill === 'inf' && r() < 0.05) x[i] = r() < 0.5 ? Infinity : -Infinity;
  }
  if (fill === 'edge-nan') {
    // NaN in the first and last column and the last row of the first plane, one NaN pair in the second
    for (let iy = 0; iy < H; iy += 3) x[iy * W] = NaN;
    for (let iy = 1; iy < H; iy += 3) x[iy * W + W - 1] = NaN;
    x[(H - 1) * W + 2] = NaN;
    if (n >= 2 * H * W) {
      x[H * W + W + 3] = NaN;
      x[H * W + W + 4] = NaN;
    }
  }
  return x;
}

describe('maxpoolPlanes against the float64 reference', () => {
  const k = instantiateKernelsSync();
  const heap = createHeap(k);

  function check(
    P: number, H: number, W: number,
    kernel: [number, number], stride: [number, number], dilation: [number, number], padding: Padding,
    fill: Fill, seed: number,
  ): void {
    const g = refWindow(H, W, kernel, stride, dilation, padding);
    const x = data(P * H * W, H, W, fill, seed);
    const ref = refMaxpool2d({ data: x, shape: [1, P, H, W] }, { kernel, stride, dilation, padding });
    const out = P * g.outH * g.outW;
    const base = 1000; // the flat index of x's first element in a larger tensor
    const px = heap.alloc(x.length * 4);
    const py = heap.alloc(out * 4);
    const pi = heap.alloc(out * 4);
    heap.f32(px, x.length).set(x);
    heap.f32(py, out).fill(12345);
    heap.i32(pi, out).fill(-7);
    k.exports.maxpoolPlanes(px, P, H, W, g.kH, g.kW, g.sH, g.sW, g.dH, g.dW, g.top, g.left, g.outH, g.outW, py, pi, base);
    const y = Array.from(heap.f32(py, out));
    const ind = Array.from(heap.i32(pi, out));
    heap.free(px);
    heap.free(py);
    heap.free(pi);
    const what = `${P}x${H}x${W} k${kernel} s${stride} d${dilation} ${JSON.stringify(padding)} ${fill}`;
    expect(ind, what).toEqual(Array.from(ref.indices.data, (i) => (i < 0 ? -1 : i + base)));
    // bit for bit: NaN is NaN, -0 is not +0
    const bad = y.findIndex((v, o) => !Object.is(v, ref.y.data[o]));
    expect(bad, `${what}: y[${bad}] = ${y[bad]}, want ${ref.y.data[bad]}`).toBe(-1);
  }

  const fills: Fill[] = ['uniform', 'ties', 'zeros', 'nan', 'inf', 'edge-nan'];

  it('2x2/2: all planes as one sequence of row pairs (even H, W a multiple of 16), whole rows (8- and 4-output blocks, overlapping last block), odd sizes (bottom row and last column past the image)', () => {
    let seed = 1;
    for (const fill of fills) {
      for (const [H, W] of [[64, 64], [32, 48], [8, 8], [9, 17], [7, 7], [13, 30], [11, 35], [16, 26], [1, 9], [2, 64], [63, 63]] as const) {
        check(3, H, W, [2, 2], [2, 2], [1, 1], 'same', fill, seed++);
        if (H >= 2) check(2, H, W, [2, 2], [2, 2], [1, 1], 'valid', fill, seed++);
      }
    }
  });

  it('2x2: explicit padding on every side, vertical stride 1 and 3 (generic strips for rows partly outside)', () => {
    let seed = 100;
    for (const fill of fills) {
      for (const [H, W] of [[9, 17], [12, 20], [5, 40]] as const) {
        for (const pad of [[1, 1, 1, 1], [1, 0, 0, 1], [0, 1, 1, 0]] as const) {
          check(2, H, W, [2, 2], [2, 2], [1, 1], pad, fill, seed++);
        }
        check(2, H, W, [2, 2], [1, 2], [1, 1], 'same', fill, seed++);
        check(2, H, W, [2, 2], [3, 2], [1, 1], [1, 1, 0, 0], fill, seed++);
      }
    }
  });

  it('3x3/2: column strips down the plane; pad 1 (left strip, row -1, row H), valid, pad 2 (generic top rows)', () => {
    let seed = 200;
    for (const fill of fills) {
      for (const [H, W] of [[64, 64], [63, 63], [9, 17], [10, 18], [7, 40], [3, 12], [16, 9]] as const) {
        check(2, H, W, [3, 3], [2, 2], [1, 1], 'same', fill, seed++);
        check(2, H, W, [3, 3], [2, 2], [1, 1], 'valid', fill, seed++);
        check(2, H, W, [3, 3], [2, 2], [1, 1], [1, 1, 1, 1], fill, seed++);
        check(1, H, W, [3, 3], [2, 2], [1, 1], [2, 2, 2, 2], fill, seed++);
        check(1, H, W, [3, 3], [2, 2], [1, 1], [0, 1, 1, 0], fill, seed++);
      }
    }
  });

  it('tiny heights: windows whose rows are mostly outside (1-3 image rows, padding below)', () => {
    let seed = 400;
    for (const fill of fills) {
      for (const H of [1, 2, 3]) {
        for (const W of [9, 16, 21]) {
          for (const pad of [[0, 2, 1, 1], [1, 1, 1, 1], [0, 1, 0, 1], [2, 2, 0, 0]] as const) {
            // a window must fit: H + top + bottom >= 3
            if (H + pad[0] + pad[1] >= 3) check(2, H, W, [3, 3], [2, 2], [1, 1], pad, fill, seed++);
          }
          check(2, H, W, [2, 2], [2, 2], [1, 1], [0, 1, 0, 1], fill, seed++);
          check(2, H, W, [2, 2], [2, 2], [1, 1], [1, 1, 1, 0], fill, seed++);
        }
      }
    }
  });

  it('other windows on the SIMD path (2 or 3 wide, stride 2 across): 3x2, 2x3, 4x3, 3x3 stride (1, 2), vertical dilation 2', () => {
    let seed = 300;
    for (const fill of fills) {
      for (const [H, W] of [[11, 23], [8, 16]] as const) {
        check(2, H, W, [3, 2], [2, 2], [1, 1], 'same', fill, seed++);
        check(2, H, W, [2, 3], [2, 2], [1, 1], 'same', fill, seed++);
        check(2, H, W, [4, 3], [3, 2], [1, 1], [1, 2, 1, 1], fill, seed++);
        check(2, H, W, [3, 3], [1, 2], [1, 1], 'same', fill, seed++);
        check(2, H, W, [3, 3], [2, 2], [2, 1], 'same', fill, seed++);
        // the scalar path: horizontal stride 1, horizontal dilation 2, a 5-wide window
        check(1, H, W, [3, 3], [2, 1], [1, 1], 'same', fill, seed++);
        check(1, H, W, [2, 2], [2, 2], [1, 2], 'same', fill, seed++);
        check(1, H, W, [5, 5], [2, 2], [1, 1], 'same', fill, seed++);
      }
    }
  });
});
