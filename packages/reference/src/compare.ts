/** Tolerance of a comparison: pass when |a - e| <= atol + rtol*|e|. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface Mismatch {
  index: number;
  got: number;
  expected: number;
  /** |got - expected| (Infinity for NaN/Infinity mismatches) */
  err: number;
}

export interface CompareResult {
  ok: boolean;
  /** number of failing elements (a length difference counts every missing/extra element) */
  mismatches: number;
  /** the failing element with the largest err / (atol + rtol*|expected|), or the largest err when all pass; null if empty */
  worst: Mismatch | null;
  /** set when the lengths differ */
  lengthMismatch?: { got: number; expected: number };
}

/**
 * Elementwise comparison: |a - e| <= atol + rtol*|e|. NaN equals only NaN; +Infinity and
 * -Infinity equal only themselves.
 */
export function compare(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): CompareResult {
  const n = Math.min(actual.length, expected.length);
  let mismatches = 0;
  let worst: Mismatch | null = null;
  let worstScore = -1;
  let worstFail: Mismatch | null = null;
  let worstFailScore = -1;
  for (let i = 0; i < n; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    let ok: boolean;
    let err: number;
    let score: number;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      ok = Number.isNaN(a) && Number.isNaN(e);
      err = ok ? 0 : Infinity;
      score = ok ? 0 : Infinity;
    } else if (!Number.isFinite(e) || !Number.isFinite(a)) {
      ok = a === e;
      err = ok ? 0 : Infinity;
      score = ok ? 0 : Infinity;
    } else {
      err = Math.abs(a - e);
      const bound = tol.atol + tol.rtol * Math.abs(e);
      ok = err <= bound;
      score = bound > 0 ? err / bound : err === 0 ? 0 : Infinity;
    }
    if (!ok) {
      mismatches++;
      if (score > worstFailScore) {
        worstFailScore = score;
        worstFail = { index: i, got: a, expected: e, err };
      }
    } else if (score > worstScore) {
      worstScore = score;
      worst = { index: i, got: a, expected: e, err };
    }
  }
  const res: CompareResult = { ok: mismatches === 0, mismatches, worst: worstFail ?? worst };
  if (actual.length !== expected.length) {
    res.ok = false;
    res.mismatches += Math.abs(actual.length - expected.length);
    res.lengthMismatch = { got: actual.length, expected: expected.length };
  }
  return res;
}

/** A one-line description of a failed comparison (empty string when ok). */
export function describeMismatch(r: CompareResult, tol: Tolerance): string {
  if (r.ok) return '';
  const parts: string[] = [];
  if (r.lengthMismatch) parts.push(`length ${r.lengthMismatch.got}, expected ${r.lengthMismatch.expected}`);
  if (r.worst && r.mismatches > 0)
    parts.push(
      `${r.mismatches} mismatch(es); worst at flat index ${r.worst.index}: got ${r.worst.got}, expected ${r.worst.expected} (|err| ${r.worst.err}, atol ${tol.atol}, rtol ${tol.rtol})`,
    );
  return parts.join('; ');
}
