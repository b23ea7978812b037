/**
 * Runs `bench --quick` as CI does (a child process on the built dist: every backend found, every
 * peer, the browser half when Chromium is there) and asserts that every row passed its check.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tfjsWasmThreads } from './wasm_threads.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../dist/cli.js');

describe('bench --quick', () => {
  it('checks every workload on every implementation and all pass', () => {
    expect(existsSync(cli), `${cli} (run the build first)`).toBe(true);
    const out = mkdtempSync(path.join(tmpdir(), 'convkit-bench-'));
    const json = path.join(out, 'quick.json');
    const r = spawnSync(process.execPath, [cli, '--quick', '--out', out, '--json', json], { encoding: 'utf8', timeout: 420_000 });
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const failed = report.rows.filter((x: { status: string }) => x.status === 'mismatch' || x.status === 'error');
    expect(failed, r.stdout + r.stderr).toEqual([]);
    expect({ status: r.status, signal: r.signal, error: r.error?.message }, r.stderr.slice(-3000)).toEqual({ status: 0, signal: null, error: undefined });
    const workloads = new Set(report.rows.map((x: { workload: string }) => x.workload));
    expect([...workloads].sort()).toEqual(['conv-A', 'conv-A-bwd', 'conv-B', 'conv-C', 'conv-D', 'gemm', 'maxpool', 'train']);
    // convkit:js runs and passes every workload; the peers run what they have
    for (const w of workloads) {
      const js = report.rows.find((x: { workload: string; impl: string }) => x.workload === w && x.impl === 'convkit:js');
      expect(js?.status, `${w} on convkit:js`).toBe('checked');
      expect(js.check.checked).toBeGreaterThan(0);
    }
    const checkedPeers = new Set(report.rows.filter((x: { group: string; status: string }) => x.group === 'peer' && x.status === 'checked').map((x: { impl: string }) => x.impl));
    expect([...checkedPeers]).toEqual(expect.arrayContaining(['tfjs:cpu', 'tfjs:wasm', 'onnxruntime:cpu']));
    // threaded tfjs-wasm in Node (a child process, see wasm_threads.ts): every core, capped at the
    // build's pthread pool (8 in tfjs 4.22), and the count XNNPACK started is in the engine
    if (report.machine.cores > 1) {
      const threaded = report.rows.filter((x: { impl: string }) => x.impl === 'tfjs:wasm-threads');
      expect(threaded.length, JSON.stringify(report.skipped)).toBeGreaterThan(0);
      const n = tfjsWasmThreads(report.machine.cores);
      expect(n).toBe(Math.min(report.machine.cores, 8));
      for (const t of threaded) expect(t.engine).toBe(`tfjs-wasm (xnnpack, simd, ${n} threads)`);
    }
    // WebGPU in Node (the 'webgpu' package, Dawn; SwiftShader here): convkit's gpu.js webgpu mode and
    // tfjs-backend-webgpu on the same adapter, each row checked against float64, software flagged
    if (existsSync('/usr/lib/chromium/vk_swiftshader_icd.json') || process.env.VK_ICD_FILENAMES) {
      const ck = report.rows.filter((x: { impl: string }) => x.impl === 'convkit:gpujs:webgpu');
      const tf = report.rows.filter((x: { impl: string }) => x.impl === 'tfjs:webgpu');
      expect(ck.length, JSON.stringify(report.skipped)).toBe(8);
      expect(tf.length, JSON.stringify(report.skipped)).toBe(8);
      for (const x of ck) {
        expect(x.engine).toBe('webgpu');
        expect(x.adapter).toMatch(/\w/);
      }
      for (const x of tf) {
        expect(x.engine).toBe('tfjs-webgpu');
        expect(x.adapter).toMatch(/\w/);
      }
      // same adapter: both name the same vendor / architecture
      const head = (a: string) => a.split(' / ').slice(0, 2).join(' / ');
      expect(head(tf[0].adapter)).toBe(head(ck[0].adapter));
      const checked = (rows: { status: string }[]) => rows.filter((x) => x.status === 'checked').length;
      expect(checked(ck)).toBe(8);
      expect(checked(tf)).toBe(7); // conv A-D, maxpool, gemm, conv-A-bwd; train is convkit-only
      if (/swiftshader/i.test(ck[0].adapter)) {
        for (const x of [...ck, ...tf]) expect(x.software, x.impl).toBe(true);
        expect(r.stdout).toContain('software adapter: SwiftShader');
      }
    }
    // the browser half ran where Chromium is installed (CI installs it: scripts/setup.sh)
    if (existsSync(process.env.CONVKIT_CHROMIUM ?? '/usr/bin/chromium')) {
      const inBrowser = report.rows.filter((x: { impl: string; status: string }) => x.impl.endsWith('@chromium') && x.status === 'checked');
      expect(inBrowser.length, JSON.stringify(report.skipped)).toBeGreaterThan(0);
    }
    expect(report.machine.cpu).toBeTruthy();
    expect(report.machine.cores).toBeGreaterThan(0);
    const html = readFileSync(path.join(out, 'latest-quick.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain(report.machine.cpu);
    expect(r.stdout).toMatch(/\d+ passed, 0 failed/);
  }, 450_000);
});
