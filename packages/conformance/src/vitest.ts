/**
 * conformanceSuite: registers vitest tests for a backend (describe per op, it per case).
 *
 *   import { conformanceSuite } from '@convkit/conformance/vitest';
 *   import { createJsBackend } from '@convkit/backend-js';
 *   conformanceSuite({ name: 'js', create: () => createJsBackend() });
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Context, type KernelBackend, type OpName } from '@convkit/core';
import type { CaseFilter, GoldenCase } from './format.js';
import { nodeStore, nodeUwnetReader } from './node.js';
import { GoldenStore } from './format.js';
import { capabilitiesFor, runCase } from './runner.js';
import type { Tolerance } from './tolerance.js';

export interface ConformanceSuiteOptions {
  /** shown in the describe title */
  name: string;
  /** makes the backend under test (called once, before the cases) */
  create: () => Promise<KernelBackend> | KernelBackend;
  /**
   * ops to test; default: what the backend declares in `capabilities`. Cases needing other ops are
   * reported as skipped with the reason 'not implemented'.
   */
  capabilities?: readonly OpName[];
  /** base of the tolerance rule (default atol = rtol = 1e-4); a looser one needs a written reason */
  tolerance?: Tolerance;
  /** a subset of the cases (e.g. { op: 'conv2d' } or { tag: 'uwnet' }) */
  filter?: CaseFilter;
}

export function conformanceSuite(o: ConformanceSuiteOptions): void {
  const store = nodeStore();
  const cases = store.listCases(o.filter);
  const uw = cases.filter((c) => GoldenStore.usesUwnet(c)).length;
  if (uw && !nodeUwnetReader()) {
    console.warn(`[conformance: ${o.name}] ${uw} uwnet cases skipped: ../shared/golden/uwnet not found (set CONVKIT_SHARED to the shared directory)`);
  }
  const byOp = new Map<string, GoldenCase[]>();
  for (const c of cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
  describe(`conformance: ${o.name}`, () => {
    let ctx: Context | null = null;
    let createError: unknown = null;
    beforeAll(async () => {
      try {
        ctx = new Context(await o.create());
      } catch (e) {
        createError = e;
      }
    });
    afterAll(async () => {
      await ctx?.dispose();
    });
    for (const [op, list] of byOp) {
      describe(op, () => {
        for (const c of list) {
          const needs = capabilitiesFor(c);
          const declared = o.capabilities ? needs.every((n) => o.capabilities!.includes(n)) : true;
          if (!declared) {
            it.skip(`${c.id} (not implemented: ${needs.filter((n) => !o.capabilities!.includes(n)).join(', ')})`, () => {});
            continue;
          }
          it(c.id, async (t) => {
            if (createError) throw createError;
            const r = await runCase(c, ctx!, o.tolerance, store);
            if (r.status === 'not-implemented') t.skip(`not implemented: ${r.message}`);
            if (r.status === 'skipped') t.skip(r.message);
            if (r.status === 'fail') throw new Error(r.message);
          });
        }
      });
    }
  });
}
