// Test helpers (not part of the package build).
import { expect } from 'vitest';
import { Registry, createContext, type Context } from '@convkit/core';
import { compare, describeMismatch, mulberry32, type Tolerance } from '@convkit/reference';
import { wasmBackend, type WasmBackendOptions } from '../backend.js';

export async function wasmContext(options: WasmBackendOptions = {}): Promise<Context> {
  const registry = new Registry().register({ ...wasmBackend, create: () => wasmBackend.create({ ...options }) });
  return createContext({ backend: 'wasm', registry });
}

/** Deterministic PRNG (mulberry32). */
export const rng = mulberry32;

/** Uniform [-1, 1) float32 values. */
export function rand(n: number, r: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r() * 2 - 1;
  return a;
}

/**
 * CONVENTIONS.md tolerance for a float32 backend, 1e-4, scaled by the reduction length beyond 512
 * terms (the conformance rule: a float32 sum of L unit-scale terms drifts by about L * 2^-24).
 */
export function tol(reduction: number): Tolerance {
  const f = Math.max(1, reduction / 512);
  return { atol: 1e-4 * f, rtol: 1e-4 * f };
}

export function expectClose(got: ArrayLike<number>, expected: ArrayLike<number>, what: string, t: Tolerance = tol(1)): void {
  expect(got.length, `${what}: length`).toBe(expected.length);
  const r = compare(got, expected, t);
  expect(r.ok, `${what}: ${describeMismatch(r, t)}`).toBe(true);
}
