import type { DataId, SgdParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { sgd as kernel } from '../primitives/elementwise.js';

export function sgd(rt: JsRuntime, w: DataId, g: DataId, v: DataId, p: SgdParams): void {
  const s = rt.s;
  kernel(p, s.f(w), s.f(g), s.f(v), 0, p.size);
}
