/**
 * The built CLI as a child process: one-line errors for a bad command line (before any run), and
 * filtered / repeated runs on tiny filters (maxpool on convkit:js / convkit:wasm only).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../dist/cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CONVKIT_BENCH_XVFB: '1' } });
const stderrLines = (s: string) => s.split('\n').filter((l) => l.trim() && !/XDG_RUNTIME_DIR/.test(l));

describe('bench CLI: bad command lines', () => {
  it.each([
    [['--warmup-ms', 'abc'], "bench: --warmup-ms: 'abc' is not a number"],
    [['--repeat', 'two'], "bench: --repeat: 'two' is not a number"],
    [['--only', 'conv-('], /^bench: --only: 'conv-\(' is not a valid regular expression \(.+\)$/],
    [['--frobnicate'], /^bench: Unknown option '--frobnicate'/],
    [['--only', 'no-such-workload'], 'bench: --only \'no-such-workload\' matches no workload (workloads: conv-A, conv-B, conv-C, conv-D, maxpool, gemm, conv-A-bwd, train)'],
  ])('%j: exit 2, one line, nothing run', (args, want) => {
    expect(existsSync(cli), `${cli} (run the build first)`).toBe(true);
    const r = run(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = stderrLines(r.stderr);
    expect(lines).toHaveLength(1);
    if (typeof want === 'string') expect(lines[0]).toBe(want);
    else expect(lines[0]).toMatch(want);
  });

  it('an --impl that matches nothing is refused, listing what exists', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'convkit-bench-cli-'));
    const r = run('--quick', '--impl', '^no-such-impl$', '--no-browser', '--out', out);
    expect(r.status, r.stderr).toBe(2);
    const last = stderrLines(r.stderr).at(-1)!;
    expect(last).toMatch(/^bench: --impl '\^no-such-impl\$' matches no implementation \(implementations: .*convkit:js.*\)$/);
    expect(last).toContain('tfjs:wasm-threads');
    expect(existsSync(path.join(out, 'latest-quick-filtered.json'))).toBe(false);
  });
});

describe('bench CLI: filtered and repeated runs', () => {
  it('a filtered run is labelled (terminal, JSON, HTML) and never replaces latest-quick.*', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'convkit-bench-cli-'));
    const r = run('--quick', '--only', '^maxpool$', '--impl', '^convkit:js$', '--no-peers', '--no-browser', '--out', out);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toContain("FILTERED run (--only '^maxpool$' --impl '^convkit:js$')");
    expect(r.stdout).toMatch(/1 passed, 0 failed, 0 skipped \(filtered run\)/);
    expect(existsSync(path.join(out, 'latest-quick.json'))).toBe(false);
    expect(existsSync(path.join(out, 'latest-quick.html'))).toBe(false);
    const rep = JSON.parse(readFileSync(path.join(out, 'latest-quick-filtered.json'), 'utf8'));
    expect(rep.filter).toEqual({ only: '^maxpool$', impl: '^convkit:js$' });
    expect(rep.rows.map((x: { workload: string; impl: string; status: string }) => [x.workload, x.impl, x.status])).toEqual([['maxpool', 'convkit:js', 'checked']]);
    const html = readFileSync(path.join(out, 'latest-quick-filtered.html'), 'utf8');
    expect(html).toContain('<b>Filtered run</b>');
    expect(html).toContain('filtered run</small>');
  });

  it('--repeat 3: interleaved runs, per row the median of the medians, ratios per repeat', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'convkit-bench-cli-'));
    const json = path.join(out, 'r.json');
    const r = run('--only', '^maxpool$', '--impl', '^convkit:(js|wasm)$', '--no-peers', '--no-browser', '--repeat', '3', '--baseline', 'convkit:js', '--warmup-ms', '0', '--min-time-ms', '0', '--out', out, '--json', json);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    // interleaved: every row of repeat 1 before repeat 2 starts
    const log = r.stderr;
    const at = (s: string) => log.indexOf(s);
    expect(at('repeat 1/3: maxpool on convkit:wasm')).toBeGreaterThan(at('repeat 1/3: maxpool on convkit:js'));
    expect(at('repeat 2/3: start')).toBeGreaterThan(at('repeat 1/3: maxpool on convkit:wasm'));
    expect(at('repeat 3/3: maxpool on convkit:js')).toBeGreaterThan(at('repeat 2/3: maxpool on convkit:wasm'));
    // the order changes per round (roundOrder): round 2 runs wasm first, round 3 js first again
    expect(at('repeat 2/3: maxpool on convkit:js')).toBeGreaterThan(at('repeat 2/3: maxpool on convkit:wasm'));
    expect(log).toContain('repeat 2/3: start (order: convkit:wasm, convkit:js)');
    const rep = JSON.parse(readFileSync(json, 'utf8'));
    expect(rep.settings).toMatchObject({ repeat: 3, baseline: 'convkit:js' });
    expect(rep.summary.order).toEqual({ seed: 21, rounds: [['convkit:js', 'convkit:wasm'], ['convkit:wasm', 'convkit:js'], ['convkit:js', 'convkit:wasm']] });
    // the rows are reported in the canonical order whatever order they ran in
    expect(rep.rows.map((x: { impl: string }) => x.impl)).toEqual(['convkit:js', 'convkit:wasm']);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    const js = rep.rows.find((x: { impl: string }) => x.impl === 'convkit:js');
    const wasm = rep.rows.find((x: { impl: string }) => x.impl === 'convkit:wasm');
    for (const row of [js, wasm]) {
      expect(row.status).toBe('ok');
      expect(row.repeat.n).toBe(3);
      expect(row.repeat.timed).toBe(3);
      expect(row.repeat.mediansMs).toHaveLength(3);
      expect(row.medianMs).toBe(med(row.repeat.mediansMs));
      expect(row.repeat.medianMs.min).toBe(Math.min(...row.repeat.mediansMs));
      expect(row.repeat.medianMs.max).toBe(Math.max(...row.repeat.mediansMs));
      expect(row.rate).toBeCloseTo(row.bytes / (row.medianMs * 1e6), 9);
      // every timed run of every repeat is kept, at least --reps (7) per repeat
      expect(row.timesMs.length).toBeGreaterThanOrEqual(21);
    }
    // vs baseline within each repeat: wasm rate / js rate = js median / wasm median
    const ratios = [0, 1, 2].map((k) => js.repeat.mediansMs[k] / wasm.repeat.mediansMs[k]);
    expect(wasm.repeat.vsBaseline.median).toBeCloseTo(med(ratios), 9);
    expect(wasm.repeat.vsBaseline.min).toBeCloseTo(Math.min(...ratios), 9);
    expect(js.repeat.vsBaseline.median).toBe(1);
    // the best convkit CPU row over the baseline, per repeat
    const best = rep.summary.bestCpuVsBaseline.find((b: { workload: string }) => b.workload === 'maxpool');
    expect(best.ratio.median).toBeCloseTo(med(ratios.map((x) => Math.max(1, x))), 9);
    expect(best.best).toHaveLength(3);
    expect(r.stdout).toContain('3 repeats, interleaved');
    expect(r.stdout).toContain('round order (seed 21): 1: convkit:js, convkit:wasm; 2: convkit:wasm, convkit:js; 3: convkit:js, convkit:wasm');
    expect(r.stdout).toMatch(/maxpool: best convkit CPU row \/ convkit:js: \d/);
    const html = readFileSync(path.join(out, 'latest-full-filtered.html'), 'utf8');
    expect(html).toContain('<h2>Repeats</h2>');
    expect(existsSync(path.join(out, 'latest-full.json'))).toBe(false);
  });
});
