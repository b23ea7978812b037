import { Registry, createContext, type Context, type Tensor } from '@convkit/core';
import { compare, describeMismatch, mulberry32, type Tolerance } from '@convkit/reference';
import { expect } from 'vitest';
// the built package: the real dist/worker.js is what the pool loads
import { workersBackend, type WorkersBackend, type WorkersBackendOptions } from '../../dist/index.js';
import { workerPool, type WorkerPool } from '../../dist/testing.js';

export { workerPool };

export const TOL: Tolerance = { atol: 1e-4, rtol: 1e-4 };

export async function workersContext(o: WorkersBackendOptions = {}): Promise<Context> {
  const registry = new Registry().register(workersBackend);
  return createContext({ backend: 'workers', registry, backendOptions: o });
}

export function backendOf(ctx: Context): WorkersBackend {
  return ctx.backend as unknown as WorkersBackend;
}

/** The worker pool of a context's workers backend (diagnostics and test hooks: the package's ./testing entry). */
export function poolOf(ctx: Context): WorkerPool {
  return workerPool(ctx.backend);
}

/** Deterministic pseudo-random values in [-1, 1) (mulberry32). */
export function rand(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Asserts a tensor against a float64 reference within `tol`, with a readable failure. */
export async function expectClose(
  t: Tensor | undefined,
  ref: { data: ArrayLike<number>; shape: readonly number[] },
  tol: Tolerance = TOL,
  what = '',
): Promise<void> {
  expect(t, `${what}: tensor missing`).toBeDefined();
  expect([...t!.shape], `${what}: shape`).toEqual([...ref.shape]);
  const got = await t!.read();
  const r = compare(got, ref.data, tol);
  expect(r.ok, `${what}: ${describeMismatch(r, tol)}`).toBe(true);
}
