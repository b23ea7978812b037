#!/usr/bin/env node
// Merges the parts of one GPU run (run.sh) into ONE JSON on stdout and prints a summary on stderr:
//
//   node merge.mjs <parts dir> <steps.tsv> <pack dir>
//
// parts: conformance.json (convkit-conformance --json), bench-gpu-<workload>.json and
// bench-cpu-<workload>.json (the bench's --json reports), anchors.json (anchors.py).
// steps.tsv: name, exit code, seconds, time cap, log file (one step a line).
// The summary per workload puts convkit's WebGPU row beside tfjs-webgpu and PyTorch, and the best
// convkit CPU row beside tfjs-wasm-threads and onnxruntime on every core.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [partsDir, stepsFile, packDir] = process.argv.slice(2);
if (!partsDir || !stepsFile) {
  console.error('usage: node merge.mjs <parts dir> <steps.tsv> [pack dir]');
  process.exit(2);
}
const readJson = (f) => {
  try {
    return JSON.parse(readFileSync(f, 'utf8'));
  } catch (e) {
    return existsSync(f) ? { unreadable: `${f}: ${e.message}` } : undefined;
  }
};
const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
};

const steps = existsSync(stepsFile)
  ? readFileSync(stepsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [name, rc, seconds, cap, log] = l.split('\t');
        const code = Number(rc);
        const tail = log && existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).slice(-15) : [];
        return { name, rc: code, seconds: Number(seconds), capSeconds: Number(cap), timedOut: code === 124 || code === 137, skipped: code === -1, log: log ? path.basename(log) : undefined, tail };
      })
  : [];

const osRelease = existsSync('/etc/os-release') ? /PRETTY_NAME="?([^"\n]*)/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] : undefined;
const gpus = sh('nvidia-smi', ['--query-gpu=name,driver_version,memory.total,compute_cap', '--format=csv,noheader']);
const machine = {
  hostname: os.hostname(),
  os: osRelease ?? `${os.type()} ${os.release()}`,
  kernel: os.release(),
  glibc: sh('ldd', ['--version'])?.split('\n')[0],
  cpu: os.cpus()[0]?.model,
  cores: os.availableParallelism(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  loadAverageAtMerge: os.loadavg(),
  node: process.version,
  gpus: gpus ? gpus.split('\n') : [],
  vulkan: { VK_DRIVER_FILES: process.env.VK_DRIVER_FILES, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES, LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH },
};

// conformance: totals, failures and the adapter the backend reported
const conf = readJson(path.join(partsDir, 'conformance.json'));
let conformance;
if (conf && conf.results) {
  const count = (s) => conf.results.filter((r) => r.status === s).length;
  const adapter = conf.device?.adapter;
  const renderer = conf.device?.renderer;
  const software = adapter?.software ?? renderer?.software;
  conformance = {
    backend: conf.backend,
    engine: conf.engine,
    backendOptions: conf.backendOptions,
    device: conf.device,
    hardwareAdapter: conf.engine === 'webgpu' && software === false,
    cases: conf.results.length,
    pass: count('pass'),
    fail: count('fail'),
    notImplemented: count('not-implemented'),
    skipped: count('skipped'),
    failures: conf.results.filter((r) => r.status === 'fail'),
    skippedReasons: [...new Set(conf.results.filter((r) => r.status === 'skipped').map((r) => r.message))],
  };
} else conformance = { missing: conf?.unreadable ?? 'no conformance.json (see steps[].tail of the conformance step)' };

// bench reports, one per workload and half
const files = existsSync(partsDir) ? readdirSync(partsDir).sort() : [];
const benchOf = (half) =>
  files
    .filter((f) => f.startsWith(`bench-${half}-`) && f.endsWith('.json'))
    .map((f) => ({ file: f, report: readJson(path.join(partsDir, f)) }));
const benchGpu = benchOf('gpu');
const benchCpu = benchOf('cpu');
const rowsOf = (reports) => reports.flatMap((r) => r.report?.rows ?? []);
const gpuRows = rowsOf(benchGpu);
const cpuRows = rowsOf(benchCpu);
const anchors = readJson(path.join(partsDir, 'anchors.json'));

// the summary: median ms (and rate) per workload
const pick = (rows, wl, impl) => rows.find((r) => r.workload === wl && r.impl === impl);
const cell = (r) => (!r ? undefined : r.medianMs !== undefined ? { ms: r.medianMs, rate: r.rate, unit: r.unit, status: r.status, engine: r.engine, adapter: r.adapter, software: r.software } : { status: r.status, reason: r.reason });
const anchorOf = (id) => anchors?.workloads?.find((w) => w.id === id);
// the bench's workloads, then the anchors-only ones (conv-N32-56, gemm-2048)
const workloads = [...new Set([...gpuRows, ...cpuRows].map((r) => r.workload).concat((anchors?.workloads ?? []).map((w) => w.id)))];
const summary = workloads.map((wl) => {
  // the fastest timed convkit CPU row; in --quick mode (nothing timed) the first checked one
  const ofWl = cpuRows.filter((r) => r.workload === wl && r.group === 'convkit');
  const cpuConvkit = ofWl.filter((r) => r.medianMs !== undefined).sort((a, b) => a.medianMs - b.medianMs)[0] ?? ofWl[0];
  const an = anchorOf(wl);
  return {
    workload: wl,
    gpu: {
      'convkit:gpujs:webgpu': cell(pick(gpuRows, wl, 'convkit:gpujs:webgpu')),
      'tfjs:webgpu': cell(pick(gpuRows, wl, 'tfjs:webgpu')),
      'torch:cuda with .cpu()': an?.torch_cuda?.with_cpu_ms,
      'torch:cuda on device': an?.torch_cuda?.device_ms,
      'torch:cuda 10 queued, per op': an?.torch_cuda?.queued10_ms,
    },
    cpu: {
      bestConvkit: cpuConvkit ? { impl: cpuConvkit.impl, ...cell(cpuConvkit) } : undefined,
      'tfjs:wasm-threads': cell(pick(cpuRows, wl, 'tfjs:wasm-threads')),
      'onnxruntime:cpu': cell(pick(cpuRows, wl, 'onnxruntime:cpu')),
      'torch:cpu': an?.torch_cpu?.ms,
      'ort:cpu (python)': an?.ort_cpu?.ms,
    },
  };
});

let pack;
if (packDir && existsSync(path.join(packDir, 'pack-info.json'))) pack = readJson(path.join(packDir, 'pack-info.json'));
const result = {
  tool: 'convkit scripts/gpu-pack run.sh',
  date: new Date().toISOString(),
  quick: process.env.GPU_PACK_QUICK === '1',
  pack,
  machine,
  steps,
  conformance,
  summary,
  benchGpu,
  benchCpu,
  anchors: anchors ?? { missing: 'no anchors.json (see steps[].tail of the anchors step)' },
};
process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);

// a short summary for the terminal
const f = (x) => (x === undefined || x === null ? '-' : typeof x === 'number' ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3)) : x.ms !== undefined ? f(x.ms) : x.status);
const log = (s) => process.stderr.write(`${s}\n`);
log(`gpu-pack: ${machine.cpu} x${machine.cores}, ${machine.gpus.join('; ') || 'no nvidia-smi'}; steps: ${steps.map((s) => `${s.name} ${s.skipped ? 'skipped' : s.timedOut ? 'TIMED OUT' : `rc ${s.rc}`} ${s.seconds}s`).join(', ')}`);
if (conformance.cases !== undefined) {
  const a = conformance.device?.adapter ?? conformance.device?.renderer;
  log(`conformance on ${conformance.engine}: ${conformance.pass} pass, ${conformance.fail} fail, ${conformance.notImplemented} not implemented, ${conformance.skipped} skipped of ${conformance.cases}; adapter ${JSON.stringify(a)}; hardware ${conformance.hardwareAdapter}`);
} else log(`conformance: ${conformance.missing}`);
log('median ms | convkit webgpu | tfjs webgpu | torch .cpu() | torch device | best convkit CPU | tfjs wasm-threads | ort cpu');
for (const s of summary) {
  log(
    `${s.workload.padEnd(11)} | ${f(s.gpu['convkit:gpujs:webgpu'])} | ${f(s.gpu['tfjs:webgpu'])} | ${f(s.gpu['torch:cuda with .cpu()'])} | ${f(s.gpu['torch:cuda on device'])} | ` +
      `${s.cpu.bestConvkit ? `${f(s.cpu.bestConvkit)} (${s.cpu.bestConvkit.impl})` : '-'} | ${f(s.cpu['tfjs:wasm-threads'])} | ${f(s.cpu['onnxruntime:cpu'])}`,
  );
}
