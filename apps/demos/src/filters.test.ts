/** Filters against @convkit/reference (float64 loops) on a small random image, every pad mode. */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, PadMode } from '@convkit/core';
import { compare, describeMismatch, refConv2d } from '@convkit/reference';
import { contextFor } from './backends.js';
import { applyFilter, FILTER_NAMES, hsvToRgb, KERNELS } from './filters.js';
import { decodeImage, encodePng, type RgbImage } from './image.js';
import { mulberry32 } from '@convkit/nn';

const TOL = { atol: 1e-4, rtol: 1e-4 };
const PADS: PadMode[] = ['zeros', 'replicate', 'circular', 'reflect'];

function randomImage(w: number, h: number, seed: number): RgbImage {
  const r = mulberry32(seed);
  return { width: w, height: h, data: new Float32Array(3 * w * h).map(() => r()) };
}

function check(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = TOL) {
  const r = compare(got, want, tol);
  if (!r.ok) throw new Error(`${what}: ${describeMismatch(r, tol)}`);
  expect(r.ok).toBe(true);
}

let ctx: Context;
beforeAll(async () => {
  ctx = await contextFor('js');
});
afterAll(async () => ctx?.dispose());

describe('filters vs the float64 reference', () => {
  const img = randomImage(9, 7, 3);
  const x = { data: img.data, shape: [1, 3, 7, 9] };
  for (const pad of PADS) {
    for (const name of Object.keys(KERNELS)) {
      it(`${name}, pad ${pad}: depthwise conv output and display mapping`, async () => {
        const k = KERNELS[name]!;
        const w = { data: [...k.values, ...k.values, ...k.values], shape: [3, 1, k.size, k.size] };
        const want = refConv2d(x, w, null, { groups: 3, padding: 'same', padMode: pad });
        const r = await applyFilter(ctx, img, name, pad);
        check(r.raw, want.data, `${name} raw`);
        let max = 0;
        for (const v of want.data) max = Math.max(max, Math.abs(v));
        const disp = Array.from(want.data, (v) => (k.display === 'clamp' ? Math.min(1, Math.max(0, v)) : Math.abs(v) / max));
        check(r.data, disp, `${name} display`);
      });
    }
    it(`magnitude and direction, pad ${pad}`, async () => {
      const gx = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
      const gy = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
      // Sobel of the channel mean, straight from the reference on a 1-channel mean image
      const n = 63;
      const mean = new Float64Array(n).map((_, i) => (img.data[i]! + img.data[n + i]! + img.data[2 * n + i]!) / 3);
      const X = refConv2d({ data: mean, shape: [1, 1, 7, 9] }, { data: gx, shape: [1, 1, 3, 3] }, null, { padMode: pad }).data;
      const Y = refConv2d({ data: mean, shape: [1, 1, 7, 9] }, { data: gy, shape: [1, 1, 3, 3] }, null, { padMode: pad }).data;
      const mag = Array.from(X, (v, i) => Math.hypot(v, Y[i]!));
      const mx = Math.max(...mag);
      const m = await applyFilter(ctx, img, 'magnitude', pad);
      check(m.data, [...mag, ...mag, ...mag].map((v) => v / mx), 'magnitude');
      const d = await applyFilter(ctx, img, 'direction', pad);
      // value channel = max(r, g, b) = magnitude / max; hue recovered from the pixel
      for (let i = 0; i < n; i++) {
        const rgb = [d.data[i]!, d.data[n + i]!, d.data[2 * n + i]!];
        expect(Math.max(...rgb)).toBeCloseTo(mag[i]! / mx, 4);
        if (mag[i]! / mx > 0.05) {
          const hue = (Math.atan2(Y[i]!, X[i]!) / (2 * Math.PI) + 1) % 1;
          const back = hsvToRgb(hue, 1, mag[i]! / mx);
          for (let c = 0; c < 3; c++) expect(rgb[c]!).toBeCloseTo(back[c]!, 3);
        }
      }
    });
  }

  it('hsvToRgb primaries', () => {
    expect(hsvToRgb(0, 1, 1)).toEqual([1, 0, 0]);
    expect(hsvToRgb(1 / 3, 1, 1).map((v) => +v.toFixed(6))).toEqual([0, 1, 0]);
    expect(hsvToRgb(2 / 3, 1, 1).map((v) => +v.toFixed(6))).toEqual([0, 0, 1]);
    expect(hsvToRgb(0.5, 0, 0.5)).toEqual([0.5, 0.5, 0.5]);
  });

  it('box blur of a constant image is that constant inside; edges darken with zero padding only', async () => {
    const c: RgbImage = { width: 6, height: 5, data: new Float32Array(90).fill(0.6) };
    const z = await applyFilter(ctx, c, 'box', 'zeros');
    const rp = await applyFilter(ctx, c, 'box', 'replicate');
    expect(z.data[6 + 1]).toBeCloseTo(0.6, 5);
    expect(z.data[0]).toBeCloseTo(0.6 * 4 / 9, 5);
    for (const v of rp.data) expect(v).toBeCloseTo(0.6, 5);
  });
});

describe('filter CLI', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const cli = join(here, '..', 'dist', 'filter-cli.js');
  const built = existsSync(cli);
  it.skipIf(!built)(`reads a PNG, writes the filtered PNG${built ? '' : ' (skipped: dist/filter-cli.js not built; run the build first)'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-filter-'));
    const img = randomImage(12, 10, 8);
    // quantise to bytes as the PNG will
    img.data = img.data.map((v) => Math.round(v * 255) / 255);
    writeFileSync(join(dir, 'in.png'), encodePng(img));
    const out = execFileSync(process.execPath, [cli, '--kernel', 'sobelx', '--backend', 'js', '--pad', 'reflect', join(dir, 'in.png'), join(dir, 'out.png')], { encoding: 'utf8' });
    expect(out).toMatch(/sobelx/);
    const got = decodeImage(readFileSync(join(dir, 'out.png')));
    expect([got.width, got.height]).toEqual([12, 10]);
    const k = KERNELS.sobelx!.values;
    const want = refConv2d({ data: img.data, shape: [1, 3, 10, 12] }, { data: [...k, ...k, ...k], shape: [3, 1, 3, 3] }, null, { groups: 3, padMode: 'reflect' }).data;
    let mx = 0;
    for (const v of want) mx = Math.max(mx, Math.abs(v));
    // one 8-bit quantisation step
    check(got.data, Array.from(want, (v) => Math.round((Math.abs(v) / mx) * 255) / 255), 'CLI sobelx PNG', { atol: 1 / 255 + 1e-6, rtol: 0 });
  });
});

void FILTER_NAMES;
