import { padIndex, type PadMode, type Window2d } from '@convkit/core';

/**
 * The input pixel a window tap reads: output (oy, ox), tap (ky, kx) of a Window2d. Returns the
 * in-image (row, col) after the pad mode's mapping, or null for a zero-padded position.
 */
export function tap(g: Window2d, padMode: PadMode, oy: number, ox: number, ky: number, kx: number): [number, number] | null {
  const iy = padIndex(oy * g.strideH + ky * g.dilationH - g.padTop, g.inH, padMode);
  const ix = padIndex(ox * g.strideW + kx * g.dilationW - g.padLeft, g.inW, padMode);
  return iy < 0 || ix < 0 ? null : [iy, ix];
}
