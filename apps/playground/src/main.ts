/**
 * The playground page: pick a backend (every one this browser can run; the others disabled with
 * the reason), filter an image with a depthwise ctx.conv2d, train a small CNN on an MNIST subset.
 * State for automated checks is mirrored in data-* attributes of <body>.
 */
import { createContext, Registry, type Context, type PadMode } from '@convkit/core';
import { SGD, SoftmaxCrossEntropy, mulberry32, permutation, smallCnn, trainStep } from '@convkit/nn';
import { applyFilter, FILTER_NAMES } from '@convkit/demos/filters';
import workersWorkerUrl from '@convkit/backend-workers/worker.js?worker&url';
import { drawLossChart } from './chart.js';

interface Option {
  spec: string;
  label: string;
  available: boolean;
  reason: string;
  backend: string;
  options?: Record<string, unknown>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const body = document.body;
const registry = new Registry();
let ctx: Context | null = null;
let busy = false;

function setStatus(id: string, text: string) {
  $(id).textContent = text;
}

async function probeBackends(): Promise<Option[]> {
  const out: Option[] = [];
  try {
    const m = await import('@convkit/backend-js');
    m.register(registry);
    out.push({ spec: 'js', label: 'js (single thread)', available: true, reason: 'always', backend: 'js' });
  } catch (e) {
    out.push({ spec: 'js', label: 'js', available: false, reason: `failed to load: ${(e as Error).message}`, backend: 'js' });
  }
  try {
    const m = await import('@convkit/backend-workers');
    m.register(registry);
    const isolated = globalThis.crossOriginIsolated === true;
    const n = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
    out.push({
      spec: 'workers',
      label: `workers (${n} Web Workers + SharedArrayBuffer)`,
      available: isolated,
      reason: isolated ? 'cross-origin isolated' : 'the page is not cross-origin isolated (needs COOP/COEP headers), so no SharedArrayBuffer',
      backend: 'workers',
      options: { workers: n, workerUrl: new URL(workersWorkerUrl, location.href).href },
    });
  } catch (e) {
    out.push({ spec: 'workers', label: 'workers', available: false, reason: `failed to load: ${(e as Error).message}`, backend: 'workers' });
  }
  try {
    const m = await import('@convkit/backend-wasm');
    m.register(registry);
    const probe = await m.wasmBackend.probe();
    const p = typeof probe === 'boolean' ? { available: probe, reason: '' } : probe;
    // without SIMD the package falls back to the js kernels (engine 'js'): offered, and labelled so
    const simd = p.available && (p.priority === undefined || p.priority > 5);
    out.push({
      spec: 'wasm',
      label: simd ? 'wasm (WebAssembly SIMD, one thread, no SharedArrayBuffer needed)' : 'wasm (js fallback: no WebAssembly SIMD)',
      available: p.available,
      reason: p.reason ?? (simd ? 'WebAssembly SIMD' : 'no WebAssembly SIMD'),
      backend: 'wasm',
    });
  } catch (e) {
    out.push({ spec: 'wasm', label: 'wasm', available: false, reason: `@convkit/backend-wasm failed to load: ${(e as Error).message}`, backend: 'wasm' });
  }
  try {
    const m = await import('@convkit/backend-gpujs');
    m.register(registry);
    const modes = (await m.probeModes()) as { mode: string; available: boolean; reason: string }[];
    for (const p of modes) {
      if (p.mode === 'headlessgl') continue;
      out.push({ spec: `gpujs:${p.mode}`, label: `gpujs ${p.mode}`, available: p.available, reason: p.reason, backend: 'gpujs', options: { mode: p.mode } });
    }
  } catch (e) {
    out.push({ spec: 'gpujs', label: 'gpujs', available: false, reason: `@convkit/backend-gpujs failed to load: ${(e as Error).message}`, backend: 'gpujs' });
  }
  return out;
}

async function selectBackend(o: Option) {
  busy = true;
  setButtons();
  setStatus('backend-status', `creating ${o.spec}…`);
  try {
    await ctx?.dispose();
    ctx = null;
    ctx = await createContext({ backend: o.backend, registry, backendOptions: o.options });
    body.dataset.backend = o.spec;
    body.dataset.engine = ctx.engine;
    setStatus('backend-status', `ready: backend ${ctx.backendName}, engine ${ctx.engine}`);
  } catch (e) {
    body.dataset.backend = '';
    setStatus('backend-status', `could not create ${o.spec}: ${(e as Error).message}`);
  } finally {
    busy = false;
    setButtons();
  }
}

function setButtons() {
  $<HTMLButtonElement>('run-filter').disabled = busy || !ctx || !image;
  $<HTMLButtonElement>('run-train').disabled = busy || !ctx;
}

// ---- image -------------------------------------------------------------------------------
interface Rgb {
  width: number;
  height: number;
  data: Float32Array;
}
let image: Rgb | null = null;

function testPattern(w = 64, h = 48): ImageData {
  const d = new ImageData(w, h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = 4 * (y * w + x);
      const inCircle = (x - 40) ** 2 + (y - 22) ** 2 < 144;
      const check = ((x >> 3) + (y >> 3)) % 2 === 0;
      d.data[i] = inCircle ? 230 : (x / w) * 255;
      d.data[i + 1] = check ? 180 : 60;
      d.data[i + 2] = inCircle ? 40 : (y / h) * 255;
      d.data[i + 3] = 255;
    }
  return d;
}

async function loadImage(): Promise<void> {
  let data: ImageData;
  let source: string;
  try {
    const r = await fetch('./dog.jpg');
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const bmp = await createImageBitmap(await r.blob());
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const g = c.getContext('2d')!;
    g.drawImage(bmp, 0, 0);
    data = g.getImageData(0, 0, bmp.width, bmp.height);
    source = `dog.jpg ${bmp.width}x${bmp.height}`;
  } catch {
    data = testPattern();
    source = 'generated test pattern (dog.jpg not bundled)';
  }
  setStatus('image-source', source);
  const n = data.width * data.height;
  const chw = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) chw[c * n + i] = data.data[4 * i + c]! / 255;
  image = { width: data.width, height: data.height, data: chw };
  drawChw($('input'), chw, data.width, data.height);
}

function drawChw(canvas: HTMLCanvasElement, chw: ArrayLike<number>, w: number, h: number) {
  canvas.width = w;
  canvas.height = h;
  const g = canvas.getContext('2d')!;
  const d = g.createImageData(w, h);
  const n = w * h;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) d.data[4 * i + c] = Math.round(Math.min(1, Math.max(0, chw[c * n + i]!)) * 255);
    d.data[4 * i + 3] = 255;
  }
  g.putImageData(d, 0, 0);
}

async function runFilter() {
  if (!ctx || !image) return;
  busy = true;
  setButtons();
  const name = $<HTMLSelectElement>('filter').value;
  const pad = $<HTMLSelectElement>('pad').value as PadMode;
  body.dataset.filterDone = '';
  try {
    const t0 = performance.now();
    const r = await applyFilter(ctx, image, name, pad);
    const ms = performance.now() - t0;
    drawChw($('output'), r.data, r.width, r.height);
    let nonzero = 0;
    for (const v of r.data) if (v > 0.02) nonzero++;
    body.dataset.filterDone = name;
    body.dataset.filterNonzero = String(nonzero);
    setStatus('filter-status', `${name} (pad ${pad}) on ${ctx.backendName}/${ctx.engine}: ${r.width}x${r.height} in ${ms.toFixed(0)} ms`);
  } catch (e) {
    setStatus('filter-status', `filter failed: ${(e as Error).message}`);
    body.dataset.filterDone = 'error';
  } finally {
    busy = false;
    setButtons();
  }
}

// ---- training ----------------------------------------------------------------------------
let subset: { images: Float32Array; labels: Int32Array } | null = null;

async function loadSubset() {
  if (subset) return subset;
  const meta = (await (await fetch('./mnist-subset.json')).json()) as { perClass: number; side: number; classes: number };
  const bytes = new Uint8Array(await (await fetch('./mnist-subset.bin')).arrayBuffer());
  const n = meta.perClass * meta.classes;
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = bytes[i]! / 255;
  const labels = new Int32Array(n).map((_, i) => Math.floor(i / meta.perClass));
  subset = { images, labels };
  return subset;
}

async function runTrain() {
  if (!ctx) return;
  busy = true;
  setButtons();
  body.dataset.trainDone = '';
  const steps = Math.max(1, Number($<HTMLInputElement>('steps').value) | 0);
  const batch = Math.max(1, Number($<HTMLInputElement>('batch').value) | 0);
  const lr = Number($<HTMLInputElement>('lr').value);
  const losses: number[] = [];
  const chart = $<HTMLCanvasElement>('chart');
  let model: ReturnType<typeof smallCnn> | null = null;
  try {
    const data = await loadSubset();
    model = smallCnn(ctx, { seed: 1, channels: [8, 16], hidden: 64 });
    const opt = new SGD(ctx, model.params(), { lr, momentum: 0.9, weightDecay: 5e-4 });
    const lossLayer = new SoftmaxCrossEntropy();
    const n = data.labels.length;
    let order = permutation(n, mulberry32(1));
    let pos = 0;
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) {
      if (pos + batch > n) {
        order = permutation(n, mulberry32(s + 2));
        pos = 0;
      }
      const x = new Float32Array(batch * 784);
      const y = new Int32Array(batch);
      for (let i = 0; i < batch; i++) {
        const k = order[pos + i]!;
        x.set(data.images.subarray(k * 784, (k + 1) * 784), i * 784);
        y[i] = data.labels[k]!;
      }
      pos += batch;
      losses.push(await trainStep(model, opt, { x, y }, [1, 28, 28], lossLayer));
      drawLossChart(chart, losses, steps);
      setStatus('train-status', `step ${s + 1}/${steps}: loss ${losses.at(-1)!.toFixed(4)} (${((performance.now() - t0) / (s + 1)).toFixed(0)} ms/step, ${ctx.backendName}/${ctx.engine}, tensors alive ${ctx.memory().tensors})`);
      await new Promise((r) => setTimeout(r, 0));
    }
    const avg = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
    const k = Math.max(1, Math.min(5, Math.floor(losses.length / 4)));
    body.dataset.lossFirst = avg(losses.slice(0, k)).toFixed(5);
    body.dataset.lossLast = avg(losses.slice(-k)).toFixed(5);
    body.dataset.losses = JSON.stringify(losses);
    body.dataset.trainEngine = ctx.engine;
    body.dataset.trainDone = String(steps);
    setStatus('train-status', `${$('train-status').textContent} — done: mean loss of first ${k} steps ${body.dataset.lossFirst}, last ${k} ${body.dataset.lossLast}`);
  } catch (e) {
    body.dataset.trainDone = 'error';
    setStatus('train-status', `training failed: ${(e as Error).message}`);
  } finally {
    model?.dispose();
    busy = false;
    setButtons();
  }
}

// ---- wiring ------------------------------------------------------------------------------
async function main() {
  setStatus('env', `crossOriginIsolated: ${globalThis.crossOriginIsolated === true}; hardwareConcurrency: ${navigator.hardwareConcurrency}`);
  const sel = $<HTMLSelectElement>('filter');
  for (const f of FILTER_NAMES) sel.add(new Option(f, f));
  sel.value = 'direction';
  $('run-filter').addEventListener('click', () => void runFilter());
  $('run-train').addEventListener('click', () => void runTrain());
  drawLossChart($('chart'), [], 40);
  const imageLoaded = loadImage();
  const options = await probeBackends();
  const box = $('backends');
  box.textContent = '';
  for (const o of options) {
    const label = document.createElement('label');
    if (!o.available) label.className = 'disabled';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'backend';
    input.value = o.spec;
    input.disabled = !o.available;
    input.addEventListener('change', () => void selectBackend(o));
    label.append(input, ` ${o.label}`);
    const why = document.createElement('span');
    why.className = 'reason';
    why.textContent = o.available ? `(${o.reason})` : `unavailable: ${o.reason}`;
    label.append(why);
    label.title = o.reason;
    box.append(label);
  }
  body.dataset.backends = JSON.stringify(options.map((o) => ({ spec: o.spec, available: o.available, reason: o.reason })));
  await imageLoaded;
  const first = options.find((o) => o.available);
  if (first) {
    (box.querySelector(`input[value="${first.spec}"]`) as HTMLInputElement).checked = true;
    await selectBackend(first);
  }
  body.dataset.ready = '1';
}

void main();
