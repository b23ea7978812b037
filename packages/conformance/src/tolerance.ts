/**
 * THE tolerance rule of the conformance suite (CONVENTIONS.md "Tolerances"), in one place.
 *
 * A value passes when |got - expected| <= atol + rtol*|expected| with
 *
 *   lengthFactor = max(1, reduction / 512)
 *   atol = base.atol * max(1, scale) * lengthFactor
 *   rtol = base.rtol * lengthFactor
 *
 * - base: atol = rtol = 1e-4 by default (a float32 backend on unit-scale data, CONVENTIONS.md);
 *   a caller may pass another base (a loosened base needs a written reason next to it).
 * - reduction: how many terms are summed into one output element (conv: C/groups*kH*kW + 1; gemm: k;
 *   conv dw: N*outH*outW; ...), stored per expected array in the golden set. A float32 sum of L
 *   unit-scale terms has a worst-case rounding error of about L * 2^-24; up to 512 terms that is
 *   below 3.1e-5, so 1e-4 holds with margin; beyond it the tolerance grows linearly with L.
 * - scale: the magnitude of the terms relative to unit scale (e.g. 100 for the uwnet connected layer,
 *   whose inputs and weights are in [-10, 10]); absolute errors grow with it, relative ones do not.
 * - exact outputs (maxpool indices) must match exactly.
 */
export interface Tolerance {
  atol: number;
  rtol: number;
}

export const DEFAULT_TOLERANCE: Readonly<Tolerance> = Object.freeze({ atol: 1e-4, rtol: 1e-4 });
export const REDUCTION_FREE = 512;

export interface ToleranceHints {
  reduction?: number;
  scale?: number;
  exact?: boolean;
}

export function toleranceFor(base: Tolerance, hints: ToleranceHints): Tolerance {
  if (hints.exact) return { atol: 0, rtol: 0 };
  const len = Math.max(1, (hints.reduction ?? 1) / REDUCTION_FREE);
  return { atol: base.atol * Math.max(1, hints.scale ?? 1) * len, rtol: base.rtol * len };
}
