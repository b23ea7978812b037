/**
 * Browser-safe entry (no node: imports): the golden reader, the case runner and the tolerance rule.
 * A page serves the package's golden/ directory (and optionally ../shared/golden/uwnet) and calls
 * runInPage; results are plain JSON.
 */
import { Context, type KernelBackend } from '@convkit/core';
import { GoldenStore, type CaseFilter, type ReadFile, type ReadUwnet } from './format.js';
import { runCase, type CaseResult } from './runner.js';
import type { Tolerance } from './tolerance.js';

export * from './format.js';
export * from './runner.js';
export * from './tolerance.js';

/** readFile over fetch: `baseUrl` is the URL of the golden/ directory (ending in '/'). */
export function fetchReader(baseUrl: string): ReadFile {
  return async (rel) => {
    const r = await fetch(new URL(rel, baseUrl));
    if (!r.ok) throw new Error(`golden: GET ${rel}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };
}

/** uwnet reader over fetch: null when the file is not served (404). */
export function fetchUwnetReader(baseUrl: string): ReadUwnet {
  return async (name) => {
    const r = await fetch(new URL(`${name}.matrix`, baseUrl));
    if (r.status === 404) return null;
    if (!r.ok) throw new Error(`uwnet: GET ${name}.matrix: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };
}

export interface RunInPageOptions {
  /** golden/ directory URL, or a ReadFile */
  golden: string | ReadFile;
  /** uwnet directory URL, a ReadUwnet, or null to skip the uwnet cases */
  uwnet?: string | ReadUwnet | null;
  /** makes a fresh backend (one context serves all cases) */
  create: () => Promise<KernelBackend> | KernelBackend;
  filter?: CaseFilter | { op?: string | string[]; id?: string; tag?: string; source?: 'generated' | 'conventions' | 'uwnet' };
  tolerance?: Tolerance;
  /** called after every case (progress) */
  onResult?: (r: CaseResult) => void;
}

/** Runs the selected cases in this page and returns JSON-safe results (also summarized by op). */
export async function runInPage(o: RunInPageOptions): Promise<{ backend: string; engine: string; results: CaseResult[] }> {
  const read = typeof o.golden === 'string' ? fetchReader(o.golden) : o.golden;
  const uw = o.uwnet === undefined || o.uwnet === null ? null : typeof o.uwnet === 'string' ? fetchUwnetReader(o.uwnet) : o.uwnet;
  const store = await GoldenStore.open(read, uw);
  const ctx = new Context(await o.create());
  const results: CaseResult[] = [];
  try {
    for (const c of store.listCases(o.filter as CaseFilter)) {
      const r = await runCase(c, ctx, o.tolerance, store);
      results.push(r);
      o.onResult?.(r);
    }
  } finally {
    await ctx.dispose();
  }
  return { backend: ctx.backendName, engine: ctx.engine, results };
}
