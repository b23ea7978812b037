import type { GemmOptions, RefTensor, TensorLike } from './types.js';
import { need, shape2 } from './util.js';

/**
 * C = alpha * op(A) op(B) + beta * c + bias, in float64 with a plain triple loop.
 * A is [m, k] ([k, m] with transA), B is [k, n] ([n, k] with transB), c [m, n], bias [n].
 */
export function refGemm(a: TensorLike, b: TensorLike, o: GemmOptions = {}): RefTensor {
  const [ar, ac] = shape2(a, 'a');
  const [br, bc] = shape2(b, 'b');
  const transA = !!o.transA;
  const transB = !!o.transB;
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const kb = transB ? bc : br;
  const n = transB ? br : bc;
  need(k === kb, `inner dimensions differ: ${k} vs ${kb}`);
  const alpha = o.alpha ?? 1;
  const beta = o.beta ?? 0;
  if (o.c) need(o.c.data.length === m * n, `c must be [${m}, ${n}]`);
  if (o.bias) need(o.bias.data.length === n, `bias must have ${n} values`);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a.data[p * ac + i]! : a.data[i * ac + p]!;
        const bv = transB ? b.data[j * bc + p]! : b.data[p * bc + j]!;
        s += av * bv;
      }
      let v = alpha * s;
      if (o.c && beta !== 0) v += beta * o.c.data[i * n + j]!;
      if (o.bias) v += o.bias.data[j]!;
      out[i * n + j] = v;
    }
  return { data: out, shape: [m, n] };
}
