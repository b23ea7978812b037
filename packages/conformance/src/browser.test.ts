import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createJsBackend } from '@convkit/backend-js';
import { runInPage } from './browser.js';
import { goldenDir } from './node.js';

const src = dirname(fileURLToPath(import.meta.url));

describe('browser entry', () => {
  it('imports nothing from node: (transitively through its own modules)', () => {
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      const text = readFileSync(join(src, f), 'utf8');
      expect(text, f).not.toMatch(/from ['"]node:|require\(/);
      for (const m of text.matchAll(/from '\.\/([\w-]+)\.js'/g)) visit(`${m[1]}.ts`);
    };
    visit('browser.ts');
    expect(seen.has('runner.ts') && seen.has('format.ts')).toBe(true);
    const refIndex = readFileSync(join(src, '..', 'node_modules', '@convkit', 'reference', 'dist', 'uwnet.js'), 'utf8');
    expect(refIndex).not.toMatch(/from ['"]node:/);
  });

  it('runInPage runs cases through a readFile function and returns JSON-safe results', async () => {
    const dir = goldenDir();
    const out = await runInPage({
      golden: async (rel) => new Uint8Array(readFileSync(join(dir, rel))),
      uwnet: null,
      create: () => createJsBackend(),
      filter: { op: ['gemm', 'maxpool2d'], source: 'generated' },
    });
    expect(out.backend).toBe('js');
    const json = JSON.parse(JSON.stringify(out));
    expect(json.results.length).toBeGreaterThan(30);
    expect(json.results.every((r: { status: string }) => r.status === 'pass')).toBe(true);
  });
});
