// Test helpers (not part of the package build).
import { expect } from 'vitest';
import { Registry, createContext, type Context } from '@convkit/core';
import { compare, describeMismatch, mulberry32, type Tolerance } from '@convkit/reference';
import { jsBackend, JS_PRECISION } from '../backend.js';

export async function jsContext(): Promise<Context> {
  const registry = new Registry().register(jsBackend);
  return createContext({ backend: 'js', registry });
}

/** Deterministic PRNG (mulberry32, from @convkit/reference). */
export const rng = mulberry32;

/** Uniform [-1, 1) float32 values. */
export function rand(n: number, r: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r() * 2 - 1;
  return a;
}

export const TOL: Tolerance = JS_PRECISION;

/** |got - expected| <= atol + rtol*|expected| elementwise (NaN only equals NaN). */
export function expectClose(got: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol: Tolerance = TOL): void {
  const r = compare(got, expected, tol);
  expect(r.ok, `${what}: ${describeMismatch(r, tol)}`).toBe(true);
}

/** Exact equality of two arrays, element by element (for indices and split-vs-whole checks). */
export function expectSame(got: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(got.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < got.length; i++) {
    const a = got[i]!;
    const e = expected[i]!;
    if (!(Object.is(a, e) || (a === e))) {
      expect(a, `${what}: first difference at flat index ${i}`).toBe(e);
    }
  }
}
