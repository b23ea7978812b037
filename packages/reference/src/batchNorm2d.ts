import type { BatchNormOptions, BatchNormParams, RefTensor, TensorLike } from './types.js';
import { need, shape4 } from './util.js';

function perChannel(t: TensorLike | null | undefined, C: number, name: string): ArrayLike<number> | null {
  if (t === null || t === undefined) return null;
  const ok = t.data.length === C && ((t.shape.length === 1 && t.shape[0] === C) || (t.shape.length === 4 && t.shape.join() === [1, C, 1, 1].join()));
  need(ok, `${name} must be [${C}] (or [1, ${C}, 1, 1]) with ${C} values, got shape [${t.shape.join(', ')}] with ${t.data.length}`);
  return t.data;
}

function resolve(o: BatchNormOptions): { training: boolean; eps: number; momentum: number; mode: 'pytorch' | 'onnx' } {
  const mode = o.momentumMode ?? 'pytorch';
  need(mode === 'pytorch' || mode === 'onnx', `momentumMode must be 'pytorch' or 'onnx', got ${JSON.stringify(mode)}`);
  const eps = o.eps ?? 1e-5;
  need(Number.isFinite(eps) && eps >= 0, `eps must be a finite number >= 0, got ${eps}`);
  const momentum = o.momentum ?? (mode === 'pytorch' ? 0.1 : 0.9);
  need(Number.isFinite(momentum) && momentum >= 0 && momentum <= 1, `momentum must be in [0, 1], got ${momentum}`);
  return { training: !!o.training, eps, momentum, mode };
}

/**
 * Per-channel batch statistics of x [N, C, H, W] over N, H, W (M = N*H*W values each):
 * mean, biased variance (/M) and unbiased variance (/(M - 1); NaN when M = 1).
 * Two passes (mean, then squared deviations) so the variance is exact in float64.
 */
export function refBatchStats(x: TensorLike): { mean: Float64Array; varBiased: Float64Array; varUnbiased: Float64Array; M: number } {
  const [N, C, H, W] = shape4(x, 'x');
  const P = H * W;
  const M = N * P;
  const mean = new Float64Array(C);
  const varBiased = new Float64Array(C);
  const varUnbiased = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let p = 0; p < P; p++) s += x.data[(n * C + c) * P + p]!;
    const mu = s / M;
    let q = 0;
    for (let n = 0; n < N; n++)
      for (let p = 0; p < P; p++) {
        const d = x.data[(n * C + c) * P + p]! - mu;
        q += d * d;
      }
    mean[c] = mu;
    varBiased[c] = q / M;
    varUnbiased[c] = M > 1 ? q / (M - 1) : NaN;
  }
  return { mean, varBiased, varUnbiased, M };
}

/**
 * Batch normalisation over NCHW (ONNX BatchNormalization; PyTorch BatchNorm2d), per channel c:
 *
 * - inference (training false, the default): y = gamma*(x - running_mean)/sqrt(running_var + eps) + beta;
 *   runningMean and runningVar are required and returned unchanged (copies).
 * - training: y = gamma*(x - mean)/sqrt(var + eps) + beta with the batch mean and the BIASED batch
 *   variance (divide by M = N*H*W). When runningMean/runningVar are given they are updated, as NEW
 *   arrays:
 *   - momentumMode 'pytorch' (default; CONVENTIONS.md): running = (1 - m)*running + m*batch with
 *     the UNBIASED batch variance (divide by M - 1) for running_var; m default 0.1.
 *   - momentumMode 'onnx' (BatchNormalization-15 training outputs): running = m*running + (1 - m)*batch
 *     with the BIASED batch variance; m default 0.9 (the same weighting as PyTorch's 0.1).
 *   Training needs M > 1 (PyTorch: "Expected more than 1 value per channel when training").
 * gamma/beta absent or null = affine off (gamma 1, beta 0). eps default 1e-5 (both PyTorch and ONNX).
 * Returns the batch statistics used (mean, biased var) in training, the running ones in inference.
 */
export function refBatchNorm2d(
  x: TensorLike,
  params: BatchNormParams = {},
  o: BatchNormOptions = {},
): { y: RefTensor; mean: RefTensor; var: RefTensor; runningMean: RefTensor | null; runningVar: RefTensor | null } {
  const [N, C, H, W] = shape4(x, 'x');
  const { training, eps, momentum, mode } = resolve(o);
  const gamma = perChannel(params.gamma, C, 'gamma');
  const beta = perChannel(params.beta, C, 'beta');
  const rm = perChannel(params.runningMean, C, 'runningMean');
  const rv = perChannel(params.runningVar, C, 'runningVar');
  need((rm === null) === (rv === null), 'runningMean and runningVar go together');
  if (!training) need(rm !== null && rv !== null, 'inference mode needs runningMean and runningVar');
  const P = H * W;
  let mean: Float64Array;
  let variance: Float64Array;
  let newRm: Float64Array | null = null;
  let newRv: Float64Array | null = null;
  if (training) {
    need(N * P > 1, `training needs more than 1 value per channel (N*H*W = ${N * P})`);
    const st = refBatchStats(x);
    mean = st.mean;
    variance = st.varBiased;
    if (rm && rv) {
      newRm = new Float64Array(C);
      newRv = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        if (mode === 'pytorch') {
          newRm[c] = (1 - momentum) * rm[c]! + momentum * st.mean[c]!;
          newRv[c] = (1 - momentum) * rv[c]! + momentum * st.varUnbiased[c]!;
        } else {
          newRm[c] = momentum * rm[c]! + (1 - momentum) * st.mean[c]!;
          newRv[c] = momentum * rv[c]! + (1 - momentum) * st.varBiased[c]!;
        }
      }
    }
  } else {
    mean = Float64Array.from(rm!);
    variance = Float64Array.from(rv!);
    newRm = Float64Array.from(rm!);
    newRv = Float64Array.from(rv!);
  }
  const y = new Float64Array(N * C * P);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const inv = 1 / Math.sqrt(variance[c]! + eps);
      const g = gamma ? gamma[c]! : 1;
      const b = beta ? beta[c]! : 0;
      for (let p = 0; p < P; p++) {
        const i = (n * C + c) * P + p;
        y[i] = g * (x.data[i]! - mean[c]!) * inv + b;
      }
    }
  return {
    y: { data: y, shape: [N, C, H, W] },
    mean: { data: mean, shape: [C] },
    var: { data: variance, shape: [C] },
    runningMean: newRm ? { data: newRm, shape: [C] } : null,
    runningVar: newRv ? { data: newRv, shape: [C] } : null,
  };
}

/**
 * Gradients of refBatchNorm2d in TRAINING mode (batch statistics recomputed from x), per channel
 * with xhat = (x - mean)/sqrt(var + eps), sums and means over N, H, W (CONVENTIONS.md):
 *   dx = gamma/sqrt(var + eps) * (dy - mean(dy) - xhat*mean(dy*xhat))
 *   dgamma = sum(dy*xhat), dbeta = sum(dy)
 * gamma null = affine off (gamma 1); dgamma and dbeta are returned either way.
 */
export function refBatchNorm2dBackward(
  x: TensorLike,
  dy: TensorLike,
  gamma: TensorLike | null = null,
  o: Pick<BatchNormOptions, 'eps'> = {},
): { dx: RefTensor; dgamma: RefTensor; dbeta: RefTensor } {
  const [N, C, H, W] = shape4(x, 'x');
  const [dn, dc, dh, dw] = shape4(dy, 'dy');
  need(dn === N && dc === C && dh === H && dw === W, `dy must be [${N}, ${C}, ${H}, ${W}], got [${dy.shape.join(', ')}]`);
  const { eps } = resolve({ eps: o.eps });
  const g = perChannel(gamma, C, 'gamma');
  const P = H * W;
  const M = N * P;
  need(M > 1, `training needs more than 1 value per channel (N*H*W = ${M})`);
  const st = refBatchStats(x);
  const dx = new Float64Array(N * C * P);
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(st.varBiased[c]! + eps);
    const mu = st.mean[c]!;
    let sdy = 0;
    let sdyx = 0;
    for (let n = 0; n < N; n++)
      for (let p = 0; p < P; p++) {
        const i = (n * C + c) * P + p;
        sdy += dy.data[i]!;
        sdyx += dy.data[i]! * (x.data[i]! - mu) * inv;
      }
    dbeta[c] = sdy;
    dgamma[c] = sdyx;
    const k = (g ? g[c]! : 1) * inv;
    for (let n = 0; n < N; n++)
      for (let p = 0; p < P; p++) {
        const i = (n * C + c) * P + p;
        const xhat = (x.data[i]! - mu) * inv;
        dx[i] = k * (dy.data[i]! - sdy / M - xhat * (sdyx / M));
      }
  }
  return { dx: { data: dx, shape: [N, C, H, W] }, dgamma: { data: dgamma, shape: [C] }, dbeta: { data: dbeta, shape: [C] } };
}
