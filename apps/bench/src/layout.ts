/** Layout changes done once at setup for peers whose native layout is NHWC / HWIO (never timed). */
export function nchwToNhwc(x: Float32Array, N: number, C: number, H: number, W: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) out[((n * H + h) * W + w) * C + c] = x[((n * C + c) * H + h) * W + w]!;
  return out;
}

/** [K, C, R, S] -> [R, S, C, K] */
export function kcrsToHwio(x: Float32Array, K: number, C: number, R: number, S: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let k = 0; k < K; k++)
    for (let c = 0; c < C; c++)
      for (let r = 0; r < R; r++)
        for (let s = 0; s < S; s++) out[((r * S + s) * C + c) * K + k] = x[((k * C + c) * R + r) * S + s]!;
  return out;
}
