/** PNG (pngjs) and JPEG (jpeg-js) decoding to planar float RGB in [0, 1], and PNG encoding. */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

/** An RGB image: data is 3 x H x W (CHW) float values in [0, 1]. */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

function isPng(b: Uint8Array) {
  return b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}
function isJpeg(b: Uint8Array) {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8;
}

/** RGBA bytes -> CHW floats (alpha dropped). */
export function rgbaToChw(rgba: ArrayLike<number>, width: number, height: number): RgbImage {
  const n = width * height;
  const data = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    data[i] = rgba[4 * i]! / 255;
    data[n + i] = rgba[4 * i + 1]! / 255;
    data[2 * n + i] = rgba[4 * i + 2]! / 255;
  }
  return { width, height, data };
}

/** CHW floats in [0, 1] (clamped) -> RGBA bytes. 1-channel data is written as grey. */
export function chwToRgba(data: ArrayLike<number>, channels: 1 | 3, width: number, height: number): Uint8Array {
  const n = width * height;
  const out = new Uint8Array(4 * n);
  const q = (v: number) => Math.round(Math.min(1, Math.max(0, Number.isNaN(v) ? 0 : v)) * 255);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[4 * i + c] = q(data[(channels === 3 ? c : 0) * n + i]!);
    out[4 * i + 3] = 255;
  }
  return out;
}

export function decodeImage(bytes: Uint8Array): RgbImage {
  if (isPng(bytes)) {
    const p = PNG.sync.read(Buffer.from(bytes));
    return rgbaToChw(p.data, p.width, p.height);
  }
  if (isJpeg(bytes)) {
    const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return rgbaToChw(j.data, j.width, j.height);
  }
  throw new Error('decodeImage: not a PNG or JPEG file');
}

export function encodePng(img: RgbImage | { width: number; height: number; data: ArrayLike<number>; channels: 1 | 3 }): Buffer {
  const channels = 'channels' in img ? img.channels : 3;
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(chwToRgba(img.data, channels, img.width, img.height));
  return PNG.sync.write(png);
}

/** Nearest-neighbour upscale of a CHW image by an integer factor (for viewing tiny images). */
export function upscale(img: { width: number; height: number; data: ArrayLike<number> }, channels: number, f: number): { width: number; height: number; data: Float32Array } {
  if (!Number.isInteger(f) || f < 1) throw new RangeError(`scale must be an integer >= 1, got ${f}`);
  const W = img.width * f;
  const H = img.height * f;
  const out = new Float32Array(channels * W * H);
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) out[(c * H + y) * W + x] = img.data[(c * img.height + Math.floor(y / f)) * img.width + Math.floor(x / f)]!;
  return { width: W, height: H, data: out };
}
