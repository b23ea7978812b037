/**
 * The classic filters of CONVENTIONS.md, applied depthwise over RGB with one ctx.conv2d call
 * (groups = 3, 'same' padding with the course's centring, any pad mode).
 *
 * Display mapping (how signed results become pixels):
 * - box, sharpen, emboss, highpass: clamp to [0, 1] (emboss sums to 1 so flat areas stay grey-ish).
 * - laplace, sobelx, sobely: |v| divided by the image's max |v| (so edges of either sign show).
 * - magnitude: the Sobel magnitude sqrt(gx^2 + gy^2) of the RGB mean, divided by its max, as grey.
 * - direction: hue = atan2(gy, gx) mapped to [0, 1), saturation 1, value = magnitude / max.
 *   (gx, gy of the RGB mean = the mean over channels of the depthwise gx, gy: convolution is linear.)
 */
import type { Context, PadMode } from '@convkit/core';
import type { RgbImage } from './image.js';

const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
const SOBEL_Y = [-1, -2, -1, 0, 0, 0, 1, 2, 1];

export const KERNELS: Record<string, { size: number; values: number[]; display: 'clamp' | 'absnorm' }> = {
  box: { size: 3, values: Array(9).fill(1 / 9), display: 'clamp' },
  highpass: { size: 3, values: [-1, -1, -1, -1, 8, -1, -1, -1, -1], display: 'clamp' },
  laplace: { size: 3, values: [0, 1, 0, 1, -4, 1, 0, 1, 0], display: 'absnorm' },
  sobelx: { size: 3, values: SOBEL_X, display: 'absnorm' },
  sobely: { size: 3, values: SOBEL_Y, display: 'absnorm' },
  // 5x5 with the 3x3 sharpen core in the middle
  sharpen: {
    size: 5,
    values: [0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, -1, 5, -1, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0],
    display: 'clamp',
  },
  emboss: { size: 3, values: [-2, -1, 0, -1, 1, 1, 0, 1, 2], display: 'clamp' },
};

/** Every filter name the CLI accepts. */
export const FILTER_NAMES = [...Object.keys(KERNELS), 'magnitude', 'direction'] as const;

export interface FilterResult {
  width: number;
  height: number;
  /** 3 x H x W display values in [0, 1] */
  data: Float32Array;
  /** the raw conv output before display mapping (3 x H x W, or 6 x H x W = gx,gy per channel for magnitude/direction) */
  raw: Float32Array;
}

/** Depthwise conv of a CHW image with per-channel kernels w [3*m, 1, k, k] (groups 3). */
async function depthwise(ctx: Context, img: RgbImage, w: Float32Array, m: number, k: number, padMode: PadMode): Promise<Float32Array> {
  const x = ctx.tensor(img.data, [1, 3, img.height, img.width]);
  const wt = ctx.tensor(w, [3 * m, 1, k, k]);
  try {
    const y = await ctx.conv2d(x, wt, { groups: 3, padding: 'same', padMode });
    try {
      return (await y.read()) as Float32Array;
    } finally {
      y.dispose();
    }
  } finally {
    x.dispose();
    wt.dispose();
  }
}

/** HSV (all in [0, 1]) to RGB. */
export function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  switch (((i % 6) + 6) % 6) {
    case 0: return [v, t, p];
    case 1: return [q, v, p];
    case 2: return [p, v, t];
    case 3: return [p, q, v];
    case 4: return [t, p, v];
    default: return [v, p, q];
  }
}

/** Maps the gx, gy planes (6 x n: gx_r, gy_r, gx_g, gy_g, gx_b, gy_b) to magnitude / direction images. */
export function gradientDisplay(raw: ArrayLike<number>, n: number, kind: 'magnitude' | 'direction'): Float32Array {
  const mag = new Float64Array(n);
  const ang = new Float64Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const gx = (raw[i]! + raw[2 * n + i]! + raw[4 * n + i]!) / 3;
    const gy = (raw[n + i]! + raw[3 * n + i]! + raw[5 * n + i]!) / 3;
    mag[i] = Math.hypot(gx, gy);
    ang[i] = Math.atan2(gy, gx);
    if (mag[i]! > max) max = mag[i]!;
  }
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const v = max > 0 ? mag[i]! / max : 0;
    if (kind === 'magnitude') {
      out[i] = out[n + i] = out[2 * n + i] = v;
    } else {
      const h = (ang[i]! / (2 * Math.PI) + 1) % 1;
      const [r, g, b] = hsvToRgb(h, 1, v);
      out[i] = r;
      out[n + i] = g;
      out[2 * n + i] = b;
    }
  }
  return out;
}

/** Applies a filter by name on ctx's backend. */
export async function applyFilter(ctx: Context, img: RgbImage, name: string, padMode: PadMode = 'zeros'): Promise<FilterResult> {
  const n = img.width * img.height;
  if (name === 'magnitude' || name === 'direction') {
    const w = new Float32Array(6 * 9);
    for (let c = 0; c < 3; c++) {
      w.set(SOBEL_X, (2 * c) * 9);
      w.set(SOBEL_Y, (2 * c + 1) * 9);
    }
    const raw = await depthwise(ctx, img, w, 2, 3, padMode);
    return { width: img.width, height: img.height, raw, data: gradientDisplay(raw, n, name) };
  }
  const k = KERNELS[name];
  if (!k) throw new Error(`unknown filter '${name}' (one of ${FILTER_NAMES.join(', ')})`);
  const w = new Float32Array(3 * k.size * k.size);
  for (let c = 0; c < 3; c++) w.set(k.values, c * k.size * k.size);
  const raw = await depthwise(ctx, img, w, 1, k.size, padMode);
  const data = new Float32Array(raw.length);
  if (k.display === 'clamp') {
    for (let i = 0; i < raw.length; i++) data[i] = Math.min(1, Math.max(0, raw[i]!));
  } else {
    let max = 0;
    for (const v of raw) max = Math.max(max, Math.abs(v));
    for (let i = 0; i < raw.length; i++) data[i] = max > 0 ? Math.abs(raw[i]!) / max : 0;
  }
  return { width: img.width, height: img.height, raw, data };
}
