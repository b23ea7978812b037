import type { AvgPool2dParams, DataId } from '@convkit/core';
import * as js from '@convkit/backend-js/kernels';
import type { WasmRuntime } from '../runtime.js';

/**
 * Average pooling: the wasm `avgpoolPlanes` (window rows summed 4 columns per f32x4 step into a
 * zero-bordered row, then each output's taps, 4 outputs per step with horizontal stride 1 or 2), dividing by the js kernel's
 * divisors (count-include-pad rule, ceil-mode overhang) passed as float32 in the workspace.
 */
export function avgpool2d(r: WasmRuntime, x: DataId, p: AvgPool2dParams): DataId {
  const outPlane = p.outH * p.outW;
  const y = r.s.f32(p.N * p.C * outPlane);
  const divBytes = Math.ceil((outPlane * 4) / 64) * 64;
  const ws = r.ws(divBytes + r.k.exports.avgpoolScratchFloats(p.inW, p.kW, p.strideW, p.dilationW, p.padLeft, p.outW) * 4);
  const div = r.heap.f32(ws.ptr, outPlane);
  div.set(js.avgpoolDivisors(p));
  r.k.exports.avgpoolPlanes(
    r.s.ptr(x), p.N * p.C, p.inH, p.inW,
    p.kH, p.kW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft,
    p.outH, p.outW, ws.ptr, ws.ptr + divBytes, y.ptr,
  );
  return y;
}
