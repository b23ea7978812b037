import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(pkg, 'dist', 'cli.js'), ...args], { cwd: pkg, encoding: 'utf8' });

describe('convkit-conformance CLI (built dist/cli.js)', () => {
  it('runs a backend package by path, prints the op table, exits 0', () => {
    const r = cli('../backend-js', '--filter', 'gemm,relu,sgd');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/backend 'js'.*via export 'jsBackend' \(BackendDescriptor\)/);
    expect(r.stdout).toMatch(/^gemm\s+10\s+0\s+0\s+0$/m);
    expect(r.stdout).toMatch(/^TOTAL\s+\d+\s+0\s+0\s+\d+$/m);
  });

  it('resolves a package by name, picks --backend and writes --json', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'convkit-cli-')), 'r.json');
    const r = cli('@convkit/backend-js', '--backend', 'js', '--filter', 'relu', '--json', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^relu\s+1\s+0/m);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.backend).toBe('js');
    expect(j.results).toEqual([{ op: 'relu', case: 'relu/mixed-with-zeros', title: 'relu with exact zeros', status: 'pass', message: '' }]);
  });

  it('exits 1 with op, case, index, got and expected when a backend is wrong', () => {
    const r = cli('./test-fixtures/wrong-backend.mjs', '--filter', 'conv2d');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL conv2d conv2d\/k1-same: output 'y': \d+ of \d+ values off; worst at flat index \d+: got [-\d.e]+, expected [-\d.e]+/);
    expect(r.stdout).toMatch(/^conv2d\s+0\s+\d+\s+0\s+\d+$/m);
  });

  it('exits 2 on a bad invocation', () => {
    expect(cli().status).toBe(2);
    const r = cli('../backend-js', '--backend', 'nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no backend named 'nope'.*found: js/);
  });
});
