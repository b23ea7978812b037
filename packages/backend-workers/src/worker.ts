/**
 * The worker script (dist/worker.js): runs the raw range kernels on the tensors the main thread
 * shares with it: the WebAssembly SIMD kernels of @convkit/backend-wasm for conv2d (forward, dx,
 * dW), gemm and maxpool2d when this thread validates wasm SIMD (InitMsg / ReadyMsg), and
 * @convkit/backend-js's raw kernels for everything else. Loads in Node worker_threads and as a browser module
 * Web Worker. In shared mode it caches every SharedArrayBuffer it is given (by buffer id) until
 * told to free it, so an op message carries only ids, params and ranges.
 */
import type { DType } from '@convkit/core';
import type { ArgRef, DoneMsg, FromWorker, InitMsg, KernelName, RunMsg, ToWorker } from './protocol.js';
import { startWasmKernels, type WorkerWasmKernels } from './wasm.js';
import { createRangeKernels, type RangeKernels } from './table.js';
import { prof } from './prof.js';

type Arr = Float32Array | Int32Array;
type A = Record<string, Arr | null>;

const buffers = new Map<number, Arr>();
/** the wasm kernels when they run in this worker */
let wk: WorkerWasmKernels | null = null;
/** set when 'wasm' was required and this worker cannot run it: every task fails with it */
let initError: string | null = null;
let table: RangeKernels = createRangeKernels(null);

function init(m: InitMsg, post: (m: FromWorker) => void): void {
  if (m.kernels === 'js') {
    post({ t: 'ready', kernels: 'js' });
    return;
  }
  const r = startWasmKernels(m.simulateNoSimd === true);
  if ('kernels' in r) {
    wk = r.kernels;
    table = createRangeKernels(wk);
    post({ t: 'ready', kernels: 'wasm-simd' });
    return;
  }
  if (m.kernels === 'wasm') initError = `kernels: 'wasm' was requested but this worker cannot run WebAssembly SIMD: ${r.reason}`;
  post({ t: 'ready', kernels: 'js', reason: r.reason });
}

function view(buf: SharedArrayBuffer, dtype: DType): Arr {
  return dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf);
}

function resolveArg(ref: ArgRef): Arr | null {
  if (ref === null) return null;
  if (typeof ref === 'number') {
    const v = buffers.get(ref);
    if (!v) throw new Error(`buffer ${ref} was never sent to this worker`);
    return v;
  }
  if (ArrayBuffer.isView(ref)) return ref;
  return ref.alloc === 'int32' ? new Int32Array(ref.size) : new Float32Array(ref.size);
}

function stall(post: (m: FromWorker) => void, id: number): void {
  post({ t: 'stalling', id });
  // blocks this thread (as a very long kernel would) until the main thread terminates it
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 600; i++) Atomics.wait(cell, 0, 0, 100);
}

function handle(m: ToWorker, post: (m: FromWorker, transfer?: Transferable[]) => void, exit: () => void): void {
  if (m.t === 'free') {
    for (const id of m.ids) buffers.delete(id);
    return;
  }
  if (m.t === 'init') {
    init(m, post);
    return;
  }
  const run = m as RunMsg;
  const tm = run.prof ? (prof.marks = [prof.now()]) : (prof.marks = null);
  if (run.bufs) for (const [id, buf, dtype] of run.bufs) buffers.set(id, view(buf, dtype));
  if (run.claim && !run.fault && Atomics.compareExchange(new Int32Array(run.claim[0]), run.claim[1], 0, 1) !== 0) {
    post({ t: 'done', id: run.id, skipped: 1 });
    return;
  }
  if (run.fault === 'crash') throw new Error('injected crash (test hook)');
  if (run.fault === 'exit') return exit();
  if (run.fault === 'stall') stall(post, run.id);
  if (run.fault === 'slow') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400); // a worker slowed by other load
  let value: number | void;
  let via: 'wasm' | 'js' | undefined;
  const args: A = {};
  try {
    if (run.fault === 'throw') throw new Error('injected kernel failure (test hook)');
    if (initError) throw new Error(initError);
    for (const [name, ref] of Object.entries(run.a)) args[name] = resolveArg(ref);
    prof.mark();
    const out = table.run(run.kernel, run.p, args, run.r);
    value = out.value;
    via = out.via;
  } catch (e) {
    post({ t: 'fail', id: run.id, message: e instanceof Error ? e.message : String(e) });
    return;
  }
  const done: DoneMsg = { t: 'done', id: run.id };
  if (typeof value === 'number') done.value = value;
  if (via) done.via = via;
  if (tm) {
    tm.push(prof.now());
    done.tm = tm;
    prof.marks = null;
  }
  if (run.ret) {
    // copy mode: send back only the regions this task computed
    const out: Record<string, Arr> = {};
    const transfer: Transferable[] = [];
    for (const [name, segs] of Object.entries(run.ret)) {
      const src = args[name]!;
      let total = 0;
      for (const [a, b] of segs) total += b - a;
      const packed = src instanceof Int32Array ? new Int32Array(total) : new Float32Array(total);
      let o = 0;
      for (const [a, b] of segs) {
        packed.set(src.subarray(a, b), o);
        o += b - a;
      }
      out[name] = packed;
      transfer.push(packed.buffer);
    }
    done.out = out;
    post(done, transfer);
    return;
  }
  post(done);
}

const proc = (globalThis as { process?: { versions?: { node?: string }; exit(code?: number): never } }).process;
const inNode = !!proc?.versions?.node && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'undefined';

if (inNode) {
  const name = 'node:worker_threads';
  const wt = (await import(/* @vite-ignore */ name)) as typeof import('node:worker_threads');
  const port = wt.parentPort!;
  const post = (m: FromWorker, t?: Transferable[]) => port.postMessage(m, t as any);
  port.on('message', (m: ToWorker) => handle(m, post, () => proc!.exit(3)));
} else {
  const scope = globalThis as unknown as {
    postMessage(m: unknown, t?: Transferable[]): void;
    onmessage: ((ev: MessageEvent) => void) | null;
    close(): void;
  };
  const post = (m: FromWorker, t?: Transferable[]) => scope.postMessage(m, t ?? []);
  scope.onmessage = (ev: MessageEvent) =>
    handle(ev.data as ToWorker, post, () => {
      // a browser worker cannot end itself observably; crash it instead so the page sees it
      setTimeout(() => {
        throw new Error('injected exit (test hook)');
      });
    });
}
