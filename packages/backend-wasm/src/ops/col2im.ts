import type { DataId, Im2colParams } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/** col2im: the wasm kernel for zero padding, the js kernel on views of the same memory otherwise. */
export function col2im(r: WasmRuntime, cols: DataId, p: Im2colParams): DataId {
  const L = p.outH * p.outW;
  const rows = p.C * p.kH * p.kW;
  const plane = p.inH * p.inW;
  const out = r.s.f32(p.N * p.C * plane);
  if (p.padMode !== 'zeros') {
    js.col2im(p, r.s.fv(cols), r.s.fv(out));
    return out;
  }
  const cp = r.s.ptr(cols);
  for (let n = 0; n < p.N; n++) {
    r.k.exports.col2imImage(
      cp + n * rows * L * 4, L, p.inH, p.inW, p.kH, p.kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
      p.outH, p.outW, 0, p.C, out.ptr + n * p.C * plane * 4,
    );
  }
  return out;
}
