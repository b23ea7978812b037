import type { RefTensor, SgdOptions, TensorLike } from './types.js';
import { need } from './util.js';

/**
 * One SGD step (PyTorch SGD, dampening 0), returning NEW arrays:
 *   v' = momentum*v + g + weightDecay*w
 *   w' = w - lr*v'
 */
export function refSgd(w: TensorLike, g: TensorLike, v: TensorLike, o: SgdOptions): { w: RefTensor; v: RefTensor } {
  const n = w.data.length;
  need(g.data.length === n && v.data.length === n, 'w, g and v must have the same size');
  const m = o.momentum ?? 0;
  const wd = o.weightDecay ?? 0;
  const nw = new Float64Array(n);
  const nv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const vi = m * v.data[i]! + g.data[i]! + wd * w.data[i]!;
    nv[i] = vi;
    nw[i] = w.data[i]! - o.lr * vi;
  }
  return { w: { data: nw, shape: [...w.shape] }, v: { data: nv, shape: [...w.shape] } };
}
