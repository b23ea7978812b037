import type { BroadcastParams, DataId } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';
import { broadcastBinary } from '../drivers/broadcast.js';

/** y = a - b with numpy broadcasting: wasm SIMD rows (drivers/broadcast.ts). */
export function sub(r: WasmRuntime, a: DataId, b: DataId, p: BroadcastParams): DataId {
  const y = r.s.f32(p.size);
  broadcastBinary(r.k, 'sub', p, r.s.ptr(a), r.s.ptr(b), y.ptr);
  return y;
}
