import type { MaxPool2dParams } from '@convkit/core';
import type { WasmKernels } from '@convkit/wasm-kernels';

/**
 * Max pooling of planes [planeStart, planeEnd) (plane = n*C + c): y and int32 indices (flat into
 * the whole x). Row-major scan, strict '>', NaN wins (last NaN), out-of-image positions skipped.
 */
export function maxpool2d(k: WasmKernels, p: MaxPool2dParams, x: number, y: number, indices: number, planeStart: number, planeEnd: number): void {
  const planes = planeEnd - planeStart;
  if (planes <= 0) return;
  const plane = p.inH * p.inW;
  const oplane = p.outH * p.outW;
  k.exports.maxpoolPlanes(
    x + planeStart * plane * 4, planes, p.inH, p.inW,
    p.kH, p.kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
    p.outH, p.outW, y + planeStart * oplane * 4, indices + planeStart * oplane * 4, planeStart * plane,
  );
}

/** Zeroes then accumulates dx planes [planeStart, planeEnd): dx[indices[o]] += dy[o] (indices outside those planes ignored). */
export function maxpool2dBackward(
  k: WasmKernels,
  p: MaxPool2dParams,
  dy: number,
  indices: number,
  dx: number,
  planeStart: number,
  planeEnd: number,
): void {
  const planes = planeEnd - planeStart;
  if (planes <= 0) return;
  const plane = p.inH * p.inW;
  const oplane = p.outH * p.outW;
  k.exports.maxpoolBackward(
    dy + planeStart * oplane * 4, indices + planeStart * oplane * 4, planes * oplane,
    dx + planeStart * plane * 4, planes * plane, planeStart * plane,
  );
}
