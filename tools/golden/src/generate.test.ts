import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const bundle = join(here, '..', 'dist', 'generate.mjs');
const committed = join(here, '..', '..', '..', 'packages', 'conformance', 'golden');
const tmp = mkdtempSync(join(tmpdir(), 'convkit-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const gen = (out: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bundle, out], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });

describe('golden generator (built dist/generate.mjs)', () => {
  it('regenerating (with the tfjs cross-check) gives byte-identical files to the committed set', () => {
    const out = join(tmp, 'regen');
    const r = gen(out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cross-checked (\d+) of (\d+) cases against tfjs/);
    const files = readdirSync(out).sort();
    expect(files).toContain('manifest.json');
    for (const f of files) expect(sha(join(out, f)), f).toBe(sha(join(committed, f)));
    const committedFiles = readdirSync(committed).filter((f) => f !== 'FORMAT.md').sort();
    expect(files).toEqual(committedFiles);
  });

  it('refuses to write when the reference and tfjs disagree', () => {
    const out = join(tmp, 'tampered');
    const r = gen(out, { CONVKIT_GOLDEN_TAMPER: 'conv2d/d2-s2' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refusing to write the golden set:\s+conv2d\/d2-s2: y: 1 mismatch/);
    expect(existsSync(out)).toBe(false);
  });
});
