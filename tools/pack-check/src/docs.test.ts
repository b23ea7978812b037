import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDocs } from './docs.js';
import { publicPackages, workspaceRoot } from './workspace.js';

const out = mkdtempSync(join(tmpdir(), 'convkit-docs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('API reference (typedoc from TSDoc comments)', () => {
  it('generates one module per public package, with the TSDoc text of core ops', async () => {
    const r = await generateDocs({ out, log: false });
    expect(r.errors).toBe(0);
    const root = workspaceRoot();
    const expected = publicPackages(root)
      .filter((p) => existsSync(join(p.dir, 'src', 'index.ts')) && existsSync(join(p.dir, 'tsconfig.build.json')))
      .map((p) => p.name);
    expect(r.packages).toEqual(expected);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(readFileSync(join(out, '.gitignore'), 'utf8')).toContain('*');
    const modules = readFileSync(join(out, 'modules.html'), 'utf8');
    for (const name of expected) expect(modules, name).toContain(name);
    // A class page rendered from core's TSDoc: Context.conv2d's comment and its options type.
    const ctx = readFileSync(join(out, 'classes', '_convkit_core.Context.html'), 'utf8');
    expect(ctx).toContain('conv2d');
    expect(ctx).toContain('y = conv(x, w) + bias');
    expect(ctx).toContain('Conv2dOptions');
  });
});
