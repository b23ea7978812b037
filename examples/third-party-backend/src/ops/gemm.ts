import type { DataId, GemmParams } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';

/** C = alpha * op(A) op(B) + beta * C0 + bias, one float64 dot product per entry. */
export function gemm(rt: NaiveRuntime, a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): DataId {
  const { m, n, k, transA, transB, alpha, beta } = p;
  const A = rt.f(a);
  const B = rt.f(b);
  const C0 = c ? rt.f(c) : null;
  const bv = bias ? rt.f(bias) : null;
  const out = rt.f32(m * n);
  const y = out.values;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let l = 0; l < k; l++) {
        const av = transA ? A[l * m + i]! : A[i * k + l]!;
        const bw = transB ? B[j * k + l]! : B[l * n + j]!;
        acc += av * bw;
      }
      let v = alpha * acc;
      if (C0 && beta !== 0) v += beta * C0[i * n + j]!;
      if (bv) v += bv[j]!;
      y[i * n + j] = v;
    }
  }
  return out;
}
