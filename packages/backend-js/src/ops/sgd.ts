import type { DataId, SgdParams } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import { sgd as kernel } from '../kernels/elementwise.js';

export function sgd(s: JsStorage, w: DataId, g: DataId, v: DataId, p: SgdParams): void {
  kernel(p, s.f(w), s.f(g), s.f(v), 0, p.size);
}
