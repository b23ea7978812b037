/**
 * The CONVENTIONS.md geometry formulas against values computed by hand (not by the formula in
 * code): 'same' centring with odd and even kernels, dilation and stride, 'valid', explicit
 * padding, the ceil-mode rule, the pad-mode index map, and the pool defaults as core passes them.
 */
import { describe, expect, it } from 'vitest';
import { axisGeometry, padIndex } from './geometry.js';
import { windowGeometry } from './validate.js';
import { Context } from './context.js';
import { OP_NAMES, type DataId, type KernelBackend } from './backend.js';

describe("'same' padding (the course's centring)", () => {
  // window of output o starts at o*s - before; before = floor(d*(k-1)/2)
  // in = 7, stride 1: out 7. after = (out-1)*s + span - in - before
  const cases: [k: number, d: number, s: number, inSize: number, before: number, after: number, out: number][] = [
    [1, 1, 1, 7, 0, 0, 7],
    [2, 1, 1, 7, 0, 1, 7], // even: centre is top-left of the central pair, start at 0, one pad after
    [3, 1, 1, 7, -1 + 2, 1, 7], // before 1, after 1
    [4, 1, 1, 7, 1, 2, 7], // k=4: start -1, last window covers 6-1..6+2 -> 2 after
    [5, 1, 1, 7, 2, 2, 7],
    [6, 1, 1, 7, 2, 3, 7],
    [3, 2, 1, 7, 2, 2, 7], // dilated 3 -> span 5
    [2, 3, 1, 7, 1, 2, 7], // span 4, before floor(3/2) = 1
    [3, 1, 2, 7, 1, 1, 4], // out = floor(6/2)+1 = 4; last window starts at 6-1 = 5, ends 7 -> after 1
    [3, 1, 2, 8, 1, 0, 4], // out = floor(7/2)+1 = 4; last window 5..7 inside 8 -> after 0
    [2, 1, 2, 5, 0, 1, 3], // pool-like k=2 s=2 on 5: windows 0,2,4 -> last reads 4,5 -> after 1
    [3, 1, 3, 5, 1, 0, 2], // k=3 s=3 on 5: windows start -1, 2 -> 2..4 inside
    [5, 1, 1, 1, 2, 2, 1], // kernel larger than a 1-pixel image
    [4, 1, 5, 3, 1, 0, 1], // stride larger than the kernel and the image
  ];
  it.each(cases)('k=%i d=%i s=%i in=%i -> before %i after %i out %i', (k, d, s, inSize, before, after, out) => {
    expect(axisGeometry(inSize, k, s, d, 'same')).toEqual({ before, after, out });
  });
});

describe("'valid' and explicit padding, floor mode", () => {
  it.each([
    // in, k, s, d, [b, a], out
    [7, 3, 1, 1, [0, 0], 5], // the worked 7x7 * 3x3 example -> 5x5
    [7, 3, 2, 1, [0, 0], 3],
    [8, 3, 2, 1, [0, 0], 3], // (8-3)/2 = 2.5 -> 2, +1
    [5, 2, 1, 2, [0, 0], 3], // span 3
    [5, 3, 1, 1, [1, 1], 5],
    [5, 3, 2, 1, [2, 0], 3], // 5+2-3 = 4 -> 4/2+1
    [15, 3, 1, 1, [0, 0], 13], // the conv1d worked example length
  ] as const)('in=%i k=%i s=%i d=%i pad=%j -> out %i', (inSize, k, s, d, pad, out) => {
    expect(axisGeometry(inSize, k, s, d, pad).out).toBe(out);
    expect(axisGeometry(inSize, k, s, d, pad).before).toBe(pad[0]);
  });

  it('no window fits: out 0', () => {
    expect(axisGeometry(2, 3, 1, 1, 'valid').out).toBe(0);
    expect(axisGeometry(3, 2, 1, 3, [0, 0]).out).toBe(0); // span 4 > 3
  });
});

describe('ceil mode (pooling)', () => {
  it.each([
    // in, k, s, [b, a], floor-out, ceil-out
    [5, 2, 2, [0, 0], 2, 3], // windows 0,2 | ceil adds the one starting at 4 (partly outside)
    [6, 2, 2, [0, 0], 3, 3], // exact fit: no change
    [7, 3, 2, [0, 0], 3, 3],
    [8, 3, 2, [0, 0], 3, 4], // (8-3)/2 = 2.5: ceil -> 3, +1 = 4; last starts at 6 < 8
    [5, 3, 3, [1, 1], 2, 2], // 5+2-3 = 4: 4/3 -> 1 or 2, +1 = 2 or 3; the third would start at 6 >= 5+1 -> dropped
    [6, 2, 4, [1, 1], 2, 2], // ceil(6/4)+1 = 3 but (3-1)*4 = 8 >= 6+1 -> 2
    [2, 1, 2, [0, 1], 2, 1], // ceil(2/2)+1 = 2 but the 2nd window starts at 2 >= 2+0 (all after-padding) -> 1
  ] as const)('in=%i k=%i s=%i pad=%j: floor %i, ceil %i', (inSize, k, s, pad, floorOut, ceilOut) => {
    expect(axisGeometry(inSize, k, s, 1, pad, false).out).toBe(floorOut);
    expect(axisGeometry(inSize, k, s, 1, pad, true).out).toBe(ceilOut);
  });
});

describe('pad-mode index map', () => {
  // a row of 4 pixels 0..3; positions -3..6
  const at = (mode: 'zeros' | 'replicate' | 'circular' | 'reflect') => [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].map((i) => padIndex(i, 4, mode));
  it('zeros', () => expect(at('zeros')).toEqual([-1, -1, -1, 0, 1, 2, 3, -1, -1, -1]));
  it('replicate', () => expect(at('replicate')).toEqual([0, 0, 0, 0, 1, 2, 3, 3, 3, 3]));
  it('circular', () => expect(at('circular')).toEqual([1, 2, 3, 0, 1, 2, 3, 0, 1, 2]));
  // reflect without repeating the edge: ... 3 2 1 | 0 1 2 3 | 2 1 0 ...
  it('reflect', () => expect(at('reflect')).toEqual([3, 2, 1, 0, 1, 2, 3, 2, 1, 0]));
  it('reflect of a 1-pixel row is that pixel', () => expect(padIndex(-1, 1, 'reflect')).toBe(0));
});

describe('windowGeometry and what core hands the backend', () => {
  it("conv 3x3 'same' on 5x6 with stride 2 and an even 2x4 kernel", () => {
    const g = windowGeometry('conv2d', 5, 6, { kernel: [2, 4], stride: 2 }, {});
    // rows: k=2 -> start 0; out = floor(4/2)+1 = 3; last window rows 4,5 -> after 1
    // cols: k=4 -> start -1; out = floor(5/2)+1 = 3; last window starts at 4-1 = 3, covers 3..6 -> after 1
    expect(g).toMatchObject({ padTop: 0, padBottom: 1, outH: 3, padLeft: 1, padRight: 1, outW: 3 });
  });

  it('explicit [top, bottom, left, right] and a number', () => {
    expect(windowGeometry('conv2d', 4, 4, { kernel: [3, 3], padding: [2, 0, 0, 1] }, {})).toMatchObject({
      padTop: 2,
      padBottom: 0,
      padLeft: 0,
      padRight: 1,
      outH: 4, // 4+2-3+1
      outW: 3, // 4+1-3+1
    });
    expect(windowGeometry('conv2d', 4, 4, { kernel: [3, 3], padding: 1 }, {})).toMatchObject({ outH: 4, outW: 4, padTop: 1, padRight: 1 });
  });

  it('maxpool defaults: stride = kernel, padding same (k=2 starts at 0, k=3 at -1)', async () => {
    const params: any[] = [];
    const fake: KernelBackend = {
      name: 'fake',
      engine: 'fake',
      capabilities: new Set(OP_NAMES),
      precision: { atol: 0, rtol: 0 },
      write: () => ({}),
      zeros: () => ({}),
      read: async () => new Float32Array(0),
      disposeData: () => {},
      memory: () => ({ dataIds: 0 }),
      dispose: () => {},
      maxpool2d: (_x: DataId, p: any) => {
        params.push(p);
        return { y: {}, indices: {} };
      },
    };
    const ctx = new Context(fake);
    const x = ctx.zeros([1, 1, 5, 5]);
    const r2 = await ctx.maxpool2d(x, { kernel: 2 });
    const r3 = await ctx.maxpool2d(x, { kernel: 3 });
    const r3s1 = await ctx.maxpool2d(x, { kernel: 3, stride: 1 });
    // k=2, s=2 on 5: out floor(4/2)+1 = 3, start 0
    expect(params[0]).toMatchObject({ strideH: 2, strideW: 2, padTop: 0, padLeft: 0, outH: 3, outW: 3 });
    expect(r2.y.shape).toEqual([1, 1, 3, 3]);
    // k=3, s=3 on 5: out floor(4/3)+1 = 2, start -1
    expect(params[1]).toMatchObject({ strideH: 3, padTop: 1, outH: 2, outW: 2 });
    expect(r3.indices.shape).toEqual([1, 1, 2, 2]);
    expect(r3.indices.dtype).toBe('int32');
    expect(params[2]).toMatchObject({ strideH: 1, padTop: 1, outH: 5 });
    expect(r3s1.y.shape).toEqual([1, 1, 5, 5]);
  });
});
