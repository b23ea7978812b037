import { describe, expect, it } from 'vitest';
import { Context } from '@convkit/core';
import { createJsBackend } from '@convkit/backend-js';
import { capabilitiesFor, formatTable, listCases, nodeStore, runCase, runCases, summarize } from './index.js';
import { lastTieBackend, leakyBackend, offByBackend, partialBackend } from './testing.js';

describe('the suite catches wrong backends', () => {
  it('a conv2d that adds 1e-2 fails every conv2d case, naming op, case, flat index, got and expected', async () => {
    const ctx = new Context(offByBackend());
    const cases = listCases({ op: 'conv2d', source: 'generated' }).slice(0, 6);
    expect(cases.length).toBe(6);
    for (const c of cases) {
      const r = await runCase(c, ctx);
      expect(r.status, r.message).toBe('fail');
      expect(r.message).toMatch(new RegExp(`^conv2d ${c.id.replace('/', '\\/')}: output 'y': \\d+ of \\d+ values off; worst at flat index \\d+: got -?[\\d.e-]+, expected -?[\\d.e-]+`));
    }
    // ops it does not touch still pass
    const g = await runCase(listCases({ op: 'gemm' })[0]!, ctx);
    expect(g.status).toBe('pass');
    await ctx.dispose();
  });

  it('ops a backend lacks are not-implemented, never a crash', async () => {
    const ctx = new Context(partialBackend(['gemm', 'relu']));
    const pick = ['conv2d', 'maxpool2d', 'dense', 'relu', 'conv1d'].flatMap((op) => listCases({ op, source: 'generated' }).slice(0, 2));
    const results = await runCases(pick, ctx);
    expect(results.length).toBe(pick.length);
    for (const r of results) {
      const c = nodeStore().getCase(r.case)!;
      const supported = capabilitiesFor(c).every((op) => op === 'gemm' || op === 'relu');
      if (supported) expect(r.status, r.message).toMatch(/pass|skipped/);
      else {
        expect(r.status).toBe('not-implemented');
        expect(r.message).toMatch(/does not implement (conv2d|maxpool2d)/);
      }
    }
    const table = formatTable(results);
    expect(table).toMatch(/conv2d\s+0\s+0\s+\d+\s+0/);
    expect(summarize(results).find((s) => s.op === 'dense')!.pass).toBeGreaterThan(0);
    await ctx.dispose();
  });

  it('a backend that leaks a data id fails with the memory counts', async () => {
    const ctx = new Context(leakyBackend());
    const r = await runCase(listCases({ op: 'relu' })[0]!, ctx);
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/leaked memory: .*backend data ids (\d+) -> (\d+)/);
    await ctx.dispose();
  });

  it('a wrong tie rule fails the exact index check but passes tie-free data', async () => {
    const ctx = new Context(lastTieBackend());
    const ties = await runCase(listCases({ op: 'maxpool2d', id: 'ties-k2-s2' })[0]!, ctx);
    expect(ties.status).toBe('fail');
    expect(ties.message).toMatch(/output 'indices'.*\(indices must match exactly\)/);
    const plain = await runCase(listCases({ op: 'maxpool2d', id: 'k2-s2-valid' })[0]!, ctx);
    expect(plain.status, plain.message).toBe('pass');
    await ctx.dispose();
  });

  it('the correct js backend passes the same cases (the failures above are the fault)', async () => {
    const ctx = new Context(createJsBackend());
    for (const c of [...listCases({ op: 'conv2d', source: 'generated' }).slice(0, 6), listCases({ op: 'maxpool2d', id: 'ties-k2-s2' })[0]!]) {
      const r = await runCase(c, ctx);
      expect(r.status, r.message).toBe('pass');
    }
    await ctx.dispose();
  });
});
