import type { DataId, Im2colParams } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** im2col: the wasm kernel for zero padding, the js kernel on views of the same memory otherwise. */
export function im2col(r: WasmRuntime, x: DataId, p: Im2colParams): DataId {
  const L = p.outH * p.outW;
  const rows = p.C * p.kH * p.kW;
  const out = r.s.f32(p.N * rows * L);
  if (p.padMode !== 'zeros') {
    js.im2col(p, r.s.fv(x), r.s.fv(out));
    return out;
  }
  const xp = r.s.ptr(x);
  const plane = p.inH * p.inW;
  for (let n = 0; n < p.N; n++) {
    r.k.exports.im2colImage(
      xp + n * p.C * plane * 4, p.inH, p.inW, p.kH, p.kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
      p.outW, 0, p.C, 0, p.outH, out.ptr + n * rows * L * 4, L,
    );
  }
  return out;
}
