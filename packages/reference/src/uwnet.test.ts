import { describe, expect, it } from 'vitest';
import {
  compare,
  describeMismatch,
  findUwnetDir,
  loadUwnet,
  refCol2im,
  refConv2d,
  refDense,
  refDenseBackward,
  refIm2col,
  refMaxpool2d,
  refMaxpool2dBackward,
  refSgd,
  type UwMatrix,
} from './index.js';

const dir = findUwnetDir();
const TOL = { atol: 1e-4, rtol: 0 };
if (!dir) console.warn('[reference] ../shared/golden/uwnet not found (set CONVKIT_SHARED): uwnet golden tests skipped');

function load(name: string): UwMatrix {
  const m = loadUwnet(name);
  if (!m) throw new Error(`uwnet file ${name} missing in ${dir}`);
  return m;
}

/*
 * The connected-layer data is NOT unit scale: inputs are in [-10, 10], outputs reach ~755, and
 * the goldens were computed and stored in float32 with 64-term sums, so their own rounding error is
 * up to ~k * 2^-24 * sum|terms| (the standard float32 dot-product bound), which exceeds 1e-4 on
 * many elements. Those files are checked per element with
 *   |got - expected| <= 1e-4 + 2^-23 * scale[i]
 * where scale[i] is the same formula evaluated on absolute values (sum of |terms|). Everything
 * else is checked with a pure 1e-4 absolute tolerance.
 */
function expectCloseScaled(got: ArrayLike<number>, m: UwMatrix, scale: ArrayLike<number>, what: string): void {
  expect(got.length, `${what}: length`).toBe(m.rows * m.cols);
  let bad = 0;
  let first = '';
  for (let i = 0; i < got.length; i++) {
    const bound = 1e-4 + 2 ** -23 * scale[i]!;
    const err = Math.abs(got[i]! - m.data[i]!);
    if (!(err <= bound)) {
      if (!bad) first = `flat index ${i}: got ${got[i]}, expected ${m.data[i]}, |err| ${err} > ${bound}`;
      bad++;
    }
  }
  expect(bad, `${what}: ${bad} mismatch(es), first at ${first}`).toBe(0);
}

function expectClose(got: ArrayLike<number>, m: UwMatrix, what: string, tol = TOL): void {
  expect(got.length, `${what}: length`).toBe(m.rows * m.cols);
  const r = compare(got, m.data, tol);
  expect(r.ok, `${what}: ${describeMismatch(r, tol)}`).toBe(true);
}

describe.skipIf(!dir)('uwnet goldens (../shared/golden/uwnet, |err| <= 1e-4)', () => {
  const H = 48;
  const W = 64;
  it('im2col size 3 / size 2, stride 2', () => {
    const dog = load('dog_chw');
    const x = { data: dog.data, shape: [1, 3, H, W] };
    expectClose(refIm2col(x, { kernel: 3, stride: 2 }).data, load('im2col'), 'im2col');
    expectClose(refIm2col(x, { kernel: 2, stride: 2 }).data, load('im2col2'), 'im2col2');
  });

  it('col2im size 3 / size 2, stride 2', () => {
    const dcol = load('dcol');
    const dcol2 = load('dcol2');
    expectClose(
      refCol2im({ data: dcol.data, shape: [1, dcol.rows, dcol.cols] }, { kernel: 3, stride: 2, inputShape: [1, 3, H, W] }).data,
      load('col2mat'),
      'col2mat',
    );
    expectClose(
      refCol2im({ data: dcol2.data, shape: [1, dcol2.rows, dcol2.cols] }, { kernel: 2, stride: 2, inputShape: [1, 3, H, W] }).data,
      load('col2mat2'),
      'col2mat2',
    );
  });

  it('conv forward: size 3, stride 1, same', () => {
    const x = load('conv_x');
    const w = load('conv_w');
    const b = load('conv_b');
    const y = refConv2d({ data: x.data, shape: [10, 16, 32, 64] }, { data: w.data, shape: [8, 16, 3, 3] }, { data: b.data, shape: [8] }, {});
    expect(y.shape).toEqual([10, 8, 32, 64]);
    expectClose(y.data, load('conv_y'), 'conv_y');
  });

  it('maxpool forward and backward: size 2 and 3, stride 2, same', () => {
    const x = { data: load('max_x').data, shape: [10, 16, 32, 64] };
    for (const [k, sfx] of [
      [2, ''],
      [3, '3'],
    ] as const) {
      const { y, indices } = refMaxpool2d(x, { kernel: k, stride: 2 });
      expect(y.shape).toEqual([10, 16, 16, 32]);
      expectClose(y.data, load(`max_y${sfx}`), `max_y${sfx}`);
      const dx = refMaxpool2dBackward({ data: load(`max_dy${sfx}`).data, shape: y.shape }, indices, x.shape);
      expectClose(dx.data, load(`max_dx${sfx}`), `max_dx${sfx}`);
    }
  });

  it('connected layer forward, backward and SGD update (rate 1, momentum 0.9, decay 0.5)', () => {
    const a = load('a');
    const b = load('b');
    const bias = load('bias');
    const abs = (d: ArrayLike<number>) => Array.from(d, Math.abs);
    const x = { data: a.data, shape: [32, 64] };
    const w = { data: b.data, shape: [64, 16] };
    const bt = { data: bias.data, shape: [16] };
    const xa = { data: abs(a.data), shape: [32, 64] };
    const wa = { data: abs(b.data), shape: [64, 16] };
    expectCloseScaled(refDense(x, w, bt).data, load('out'), refDense(xa, wa, { data: abs(bias.data), shape: [16] }).data, 'out');
    const dyM = load('dy');
    const dy = { data: dyM.data, shape: [32, 16] };
    const g = refDenseBackward(x, w, dy);
    const ga = refDenseBackward(xa, wa, { data: abs(dyM.data), shape: [32, 16] });
    expectCloseScaled(g.dx.data, load('truth_dx'), ga.dx.data, 'truth_dx');
    // the accumulators dw/db already hold m * Delta_{t-1}
    const dwPrev = load('dw').data;
    const dbPrev = load('db').data;
    const dwScale = ga.dw.data.map((v, i) => v + Math.abs(dwPrev[i]!));
    const dbScale = ga.db.data.map((v, i) => v + Math.abs(dbPrev[i]!));
    expectCloseScaled(g.dw.data.map((v, i) => v + dwPrev[i]!), load('truth_dw'), dwScale, 'truth_dw');
    expectCloseScaled(g.db.data.map((v, i) => v + dbPrev[i]!), load('truth_db'), dbScale, 'truth_db');
    // SGD in the convention's form: v holds Delta_{t-1} = accumulator / m
    const m = 0.9;
    const sw = refSgd(w, g.dw, { data: Array.from(dwPrev, (v) => v / m), shape: [64, 16] }, { lr: 1, momentum: m, weightDecay: 0.5 });
    const wScale = dwScale.map((v, i) => v + 1.5 * Math.abs(b.data[i]!));
    expectCloseScaled(sw.w.data, load('updated_w'), wScale, 'updated_w');
    expectCloseScaled(sw.v.data.map((v) => v * m), load('updated_dw'), wScale, 'updated_dw');
    const sb = refSgd(bt, g.db, { data: Array.from(dbPrev, (v) => v / m), shape: [16] }, { lr: 1, momentum: m });
    const bScale = dbScale.map((v, i) => v + Math.abs(bias.data[i]!));
    expectCloseScaled(sb.w.data, load('updated_b'), bScale, 'updated_b');
    expectCloseScaled(sb.v.data.map((v) => v * m), load('updated_db'), bScale, 'updated_db');
  });
});
