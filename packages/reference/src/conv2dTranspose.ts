import { refPair, splitPadding } from './geometry.js';
import type { ConvTransposeOptions, RefTensor, TensorLike } from './types.js';
import { need, shape4 } from './util.js';

/** Normalized transposed-conv geometry shared by forward and backward. */
export interface ConvTransposeGeometry {
  N: number;
  /** input channels (= the weight's first axis) */
  C: number;
  /** output channels = groups * (weight's second axis) */
  K: number;
  Cg: number;
  Kg: number;
  groups: number;
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  dH: number;
  dW: number;
  /** input pixel (iy, ix), tap (ky, kx) writes output (iy*sH - top + ky*dH, ix*sW - left + kx*dW) */
  top: number;
  left: number;
  outH: number;
  outW: number;
}

function axis(inSize: number, k: number, s: number, d: number, p: 'same' | 'valid' | [number, number], op: number, name: string): { before: number; out: number } {
  need(Number.isInteger(op) && op >= 0 && op < Math.max(s, d), `outputPadding (${name}) must be an integer in [0, max(stride, dilation) = ${Math.max(s, d)}), got ${op}`);
  if (p === 'same') {
    need(op === 0, `outputPadding must be 0 with 'same' padding (the output is in*stride), got ${op}`);
    return { before: Math.floor((d * (k - 1)) / 2), out: inSize * s };
  }
  const [before, after] = p === 'valid' ? [0, 0] : p;
  need(Number.isInteger(before) && before >= 0 && Number.isInteger(after) && after >= 0, `explicit padding must be integers >= 0, got [${before}, ${after}]`);
  const out = (inSize - 1) * s - before - after + d * (k - 1) + op + 1;
  need(out >= 1, `padding [${before}, ${after}] crops the whole output (${name} size ${out})`);
  return { before, out };
}

export function convTransposeGeometry(x: TensorLike, w: TensorLike, o: ConvTransposeOptions): ConvTransposeGeometry {
  const [N, C, inH, inW] = shape4(x, 'x');
  const [wc, Kg, kH, kW] = shape4(w, 'w');
  const groups = o.groups ?? 1;
  need(Number.isInteger(groups) && groups >= 1 && C % groups === 0, `groups=${groups} must divide C=${C}`);
  need(wc === C && Kg >= 1 && kH >= 1 && kW >= 1, `w must be [C=${C}, K/groups, kH, kW], got [${w.shape.join(', ')}]`);
  const [sH, sW] = refPair(o.stride, 1);
  const [dH, dW] = refPair(o.dilation, 1);
  const [opH, opW] = refPair(o.outputPadding, 0);
  for (const [name, v] of [['stride', [sH, sW]], ['dilation', [dH, dW]]] as const) {
    need(v.every((e) => Number.isInteger(e) && e >= 1), `${name} must be integers >= 1, got ${JSON.stringify(v)}`);
  }
  const [ph, pw] = splitPadding(o.padding ?? 'same');
  const gh = axis(inH, kH, sH, dH, ph, opH, 'H');
  const gw = axis(inW, kW, sW, dW, pw, opW, 'W');
  return { N, C, K: Kg * groups, Cg: C / groups, Kg, groups, inH, inW, kH, kW, sH, sW, dH, dW, top: gh.before, left: gw.before, outH: gh.out, outW: gw.out };
}

/**
 * Transposed convolution (ONNX ConvTranspose; PyTorch ConvTranspose2d), the adjoint of conv2d with
 * the same stride, padding, dilation and groups (CONVENTIONS.md), as a direct scatter:
 *   y[n, g*Kg + ko, iy*sH - top + ky*dH, ix*sW - left + kx*dW] += x[n, c, iy, ix] * w[c, ko, ky, kx]
 * for c in group g (c = g*Cg .. g*Cg + Cg - 1), taps landing outside the output dropped; then + b[k].
 * x [N, C, H, W], w [C, K/groups, kH, kW] (input channels first), bias [K] or null.
 * Output per axis: out = (in - 1)*s - before - after + d*(k - 1) + outputPadding + 1 for explicit
 * padding ('valid' = 0); 'same' (the default, as conv2d) gives out = in*s with before =
 * floor(d*(k-1)/2). ONNX's own default is pads 0 ('valid'); ONNX's output_shape/auto_pad
 * attributes are not offered (explicit pads express every output size).
 */
export function refConv2dTranspose(x: TensorLike, w: TensorLike, bias: TensorLike | null, o: ConvTransposeOptions = {}): RefTensor {
  const g = convTransposeGeometry(x, w, o);
  const { N, C, K, Cg, Kg, inH, inW, kH, kW, sH, sW, dH, dW, top, left, outH, outW } = g;
  if (bias) need(bias.data.length === K, `bias must have K=${K} values`);
  const y = new Float64Array(N * K * outH * outW);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const grp = Math.floor(c / Cg);
      for (let iy = 0; iy < inH; iy++)
        for (let ix = 0; ix < inW; ix++) {
          const xv = x.data[((n * C + c) * inH + iy) * inW + ix]!;
          for (let ko = 0; ko < Kg; ko++) {
            const k = grp * Kg + ko;
            for (let ky = 0; ky < kH; ky++) {
              const oy = iy * sH - top + ky * dH;
              if (oy < 0 || oy >= outH) continue;
              for (let kx = 0; kx < kW; kx++) {
                const ox = ix * sW - left + kx * dW;
                if (ox < 0 || ox >= outW) continue;
                y[((n * K + k) * outH + oy) * outW + ox] += xv * w.data[((c * Kg + ko) * kH + ky) * kW + kx]!;
              }
            }
          }
        }
    }
  if (bias) {
    const P = outH * outW;
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let p = 0; p < P; p++) y[(n * K + k) * P + p] += bias.data[k]!;
  }
  return { data: y, shape: [N, K, outH, outW] };
}

/**
 * Gradients of refConv2dTranspose, term by term from the forward scatter: every term
 * x[n,c,iy,ix] * w[c,ko,ky,kx] landing on y[n,k,oy,ox] adds dy*w to dx, dy*x to dw; db[k] = sum dy.
 * (dx is conv2d(dy, w) with the same geometry; dw is the conv2d weight gradient with x and dy swapped.)
 */
export function refConv2dTransposeBackward(
  x: TensorLike,
  w: TensorLike,
  dy: TensorLike,
  o: ConvTransposeOptions = {},
): { dx: RefTensor; dw: RefTensor; db: RefTensor } {
  const g = convTransposeGeometry(x, w, o);
  const { N, C, K, Cg, Kg, inH, inW, kH, kW, sH, sW, dH, dW, top, left, outH, outW } = g;
  const [dn, dk, dh, dwid] = shape4(dy, 'dy');
  need(dn === N && dk === K && dh === outH && dwid === outW, `dy must be [${N}, ${K}, ${outH}, ${outW}], got [${dy.shape.join(', ')}]`);
  const dx = new Float64Array(N * C * inH * inW);
  const dwt = new Float64Array(C * Kg * kH * kW);
  const db = new Float64Array(K);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const grp = Math.floor(c / Cg);
      for (let iy = 0; iy < inH; iy++)
        for (let ix = 0; ix < inW; ix++) {
          const xi = ((n * C + c) * inH + iy) * inW + ix;
          const xv = x.data[xi]!;
          let sx = 0;
          for (let ko = 0; ko < Kg; ko++) {
            const k = grp * Kg + ko;
            for (let ky = 0; ky < kH; ky++) {
              const oy = iy * sH - top + ky * dH;
              if (oy < 0 || oy >= outH) continue;
              for (let kx = 0; kx < kW; kx++) {
                const ox = ix * sW - left + kx * dW;
                if (ox < 0 || ox >= outW) continue;
                const gy = dy.data[((n * K + k) * outH + oy) * outW + ox]!;
                const wi = ((c * Kg + ko) * kH + ky) * kW + kx;
                sx += gy * w.data[wi]!;
                dwt[wi] += gy * xv;
              }
            }
          }
          dx[xi] = sx;
        }
    }
  const P = outH * outW;
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let p = 0; p < P; p++) db[k] += dy.data[(n * K + k) * P + p]!;
  return {
    dx: { data: dx, shape: [N, C, inH, inW] },
    dw: { data: dwt, shape: [C, Kg, kH, kW] },
    db: { data: db, shape: [K] },
  };
}
