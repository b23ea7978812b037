import type { RefTensor, TensorLike } from './types.js';
import { need, shape2 } from './util.js';

/** y = x w + b: x [n, in], w [in, out], b [out] (optional). */
export function refDense(x: TensorLike, w: TensorLike, b?: TensorLike | null): RefTensor {
  const [n, fin] = shape2(x, 'x');
  const [win, fout] = shape2(w, 'w');
  need(win === fin, `w must be [${fin}, out], got [${w.shape.join(', ')}]`);
  if (b) need(b.data.length === fout, `b must have ${fout} values`);
  const y = new Float64Array(n * fout);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < fout; j++) {
      let s = b ? b.data[j]! : 0;
      for (let p = 0; p < fin; p++) s += x.data[i * fin + p]! * w.data[p * fout + j]!;
      y[i * fout + j] = s;
    }
  return { data: y, shape: [n, fout] };
}

/** dx = dy w^T [n, in], dw = x^T dy [in, out], db = column sums of dy [out]. */
export function refDenseBackward(x: TensorLike, w: TensorLike, dy: TensorLike): { dx: RefTensor; dw: RefTensor; db: RefTensor } {
  const [n, fin] = shape2(x, 'x');
  const [win, fout] = shape2(w, 'w');
  const [dn, dout] = shape2(dy, 'dy');
  need(win === fin && dn === n && dout === fout, 'shapes of x, w, dy do not agree');
  const dx = new Float64Array(n * fin);
  const dw = new Float64Array(fin * fout);
  const db = new Float64Array(fout);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < fout; j++) {
      const g = dy.data[i * fout + j]!;
      db[j] += g;
      for (let p = 0; p < fin; p++) {
        dx[i * fin + p] += g * w.data[p * fout + j]!;
        dw[p * fout + j] += x.data[i * fin + p]! * g;
      }
    }
  return { dx: { data: dx, shape: [n, fin] }, dw: { data: dw, shape: [fin, fout] }, db: { data: db, shape: [fout] } };
}
