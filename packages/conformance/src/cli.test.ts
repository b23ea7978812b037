import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
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

  it('hands --backend-options to create(options), prints the device the backend reports and writes both to --json', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'convkit-cli-')), 'r.json');
    const opts = { engine: 'fixture-engine', adapter: { vendor: 'acme', software: false } };
    const r = cli('./test-fixtures/options-backend.mjs', '--backend-options', JSON.stringify(opts), '--expect-engine', 'fixture-engine', '--filter', 'relu', '--json', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`backend 'opts' (engine fixture-engine) from ./test-fixtures/options-backend.mjs via export 'descriptor' (BackendDescriptor) with options ${JSON.stringify(opts)}`);
    expect(r.stdout).toContain('device: {"adapter":{"vendor":"acme","software":false}}');
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j).toMatchObject({ backend: 'opts', engine: 'fixture-engine', backendOptions: opts, device: { adapter: opts.adapter } });
    expect(j.results).toHaveLength(1);
    expect(j.results[0].status).toBe('pass');
    // without options the same fixture reports its default engine
    const plain = cli('./test-fixtures/options-backend.mjs', '--filter', 'relu');
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain("backend 'opts' (engine no-options)");
  });

  it('--expect-engine: exits 2 naming both engines when the backend runs elsewhere, and writes nothing', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'convkit-cli-')), 'r.json');
    const r = cli('../backend-js', '--expect-engine', 'webgpu', '--filter', 'relu', '--json', out);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("convkit-conformance: backend 'js' runs on engine 'js', not the --expect-engine 'webgpu'\n");
    expect(existsSync(out)).toBe(false);
  });

  // each bad invocation: exit 2, exactly one line on stderr naming the flag and the value, nothing run, nothing written
  const bad: [string[], string][] = [
    [['../backend-js', '--bogus'], 'unknown option --bogus (see --help)'],
    [['../backend-js', '--filter'], '--filter needs a value'],
    [['../backend-js', '--verbose=yes'], '--verbose takes no value'],
    [['../backend-js', '--filter', 'gemm,convv'], "--filter 'gemm,convv': unknown op 'convv'; ops: add, addBackward"],
    [['../backend-js', '--tolerance', 'abc'], "--tolerance 'abc': expected ATOL or ATOL,RTOL, finite numbers >= 0"],
    [['../backend-js', '--tolerance', '1e-4,'], "--tolerance '1e-4,': expected ATOL or ATOL,RTOL"],
    [['../backend-js', '--tolerance', '-1'], "--tolerance needs a value; write one that starts with '-' as --tolerance=VALUE"],
    [['../backend-js', '--tolerance=-1'], "--tolerance '-1': expected ATOL or ATOL,RTOL"],
    [['../backend-js', '--backend-options', '{mode:webgpu}'], "--backend-options '{mode:webgpu}' is not JSON: "],
    [['../backend-js', '--backend-options', '"webgpu"'], `--backend-options '"webgpu"' must be a JSON object, e.g. '{"mode":"webgpu"}'`],
    [['../backend-js', '--id', 'no-such-case'], "no golden case matches --id 'no-such-case'"],
    [['../backend-js', '--backend', ''], '--backend needs a non-empty value'],
    [['../backend-js', 'extra'], 'unexpected argument extra: give one package name or path (see --help)'],
    [['../backend-jss'], 'no package directory or file at ../backend-jss'],
    [['../backend-js', '--json', '/nonexistent-dir/r.json'], '--json /nonexistent-dir/r.json: directory /nonexistent-dir does not exist'],
    [[], 'missing the backend package (a package name or path; see --help)'],
  ];
  for (const [args, message] of bad) {
    it(`one-line error, exit 2: ${args.join(' ') || '(no arguments)'}`, () => {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.startsWith(`convkit-conformance: ${message}`)).toBe(true);
    });
  }

  it("ignores a lone '--' (pnpm run conformance -- --filter relu)", () => {
    const r = cli('../backend-js', '--', '--filter', 'relu');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^relu\s+1\s+0\s+0\s+0$/m);
    expect(r.stdout).toMatch(/; 1 cases$/m);
  });

  it('--help prints the usage with every flag and exits 0', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    for (const f of ['--backend ', '--backend-options', '--expect-engine', '--filter', '--id', '--tolerance', '--json', '--verbose']) expect(r.stdout).toContain(f);
  });
});
