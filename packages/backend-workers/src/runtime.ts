/**
 * The workers backend's per-op runtime: what every kernel (ops/) shares. The data side of the
 * backend interface (tensors in SharedArrayBuffers the workers receive once, or ordinary buffers
 * copied per task), the worker pool, the split policy, and the main thread's own kernels with the
 * `hostThread` option; and what the backend reports (engine, kernels, fallback reason).
 */
import { BackendExecutionError, type BackendMemory, type BackendRuntime, type DataId, type DType } from '@convkit/core';
import { simdUnavailableReason } from '@convkit/wasm-kernels';
import { isNode, sharedMemoryAvailable } from './env.js';
import type { WorkersBackendOptions, WorkersKernelsOption } from './options.js';
import { WorkerPool, type Task, type TaskResult } from './pool.js';
import type { KernelName } from './protocol.js';
import { createRangeKernels, type KernelArgs, type RangeKernels } from './table.js';
import { Storage, type Rec } from './storage.js';
import { startWasmKernels } from './wasm.js';
import { taskCount } from './partition.js';

/** Smallest work (multiply-adds or elements) worth one task by default (the `minTaskWork` option). */
export const DEFAULT_MIN_TASK_WORK = 1 << 16;

/** Tasks per worker for big ops: enough to balance a loaded machine, few enough to stay cheap. */
export const TASKS_PER_WORKER = 4;

/** A worker gets more than one task of an op only when each is at least SPLIT_FACTOR x minTaskWork. */
export const SPLIT_FACTOR = 256;

/** Issue-20 kernels with a wasm version in the workers (table.ts): never run on the main thread's js kernels while the workers run wasm. */
const SMALL_ON_WORKERS_WITH_WASM: ReadonlySet<KernelName> = new Set<KernelName>(['avgpool2d', 'globalAvgPool2d']);

/** Why WebAssembly SIMD cannot run on this thread (or under the test hook), or null when it can. */
function hostSimdReason(o: { simulateNoSimd?: boolean | 'workers' }): string | null {
  if (o.simulateNoSimd === true) return 'WebAssembly SIMD probe disabled by the simulateNoSimd test hook';
  return simdUnavailableReason();
}

/**
 * The main thread's kernels for the `hostThread` option: the same set as the workers run (their
 * own report, `wasm()`), so an op never mixes wasm and js kernels and `engine` stays true; js when
 * wasm SIMD does not start on the main thread either (then the workers were not asked for it).
 */
function hostKernels(asked: 'wasm' | 'js', wasm: () => boolean): RangeKernels {
  const js = createRangeKernels(null);
  if (asked === 'js') return js;
  const r = startWasmKernels(false);
  const simd = 'kernels' in r ? createRangeKernels(r.kernels) : js;
  return { run: (kernel, p, a, range) => (wasm() ? simd : js).run(kernel, p, a, range) };
}

function defaultWorkerUrl(): URL {
  return new URL('./worker.js', import.meta.url);
}

/** A URL (or URL string), a page-relative URL in browsers, or a file path in Node. */
export function toWorkerUrl(u: string | URL): URL {
  if (u instanceof URL) return u;
  if (/^[a-z][a-z0-9+.-]*:/i.test(u) && !/^[a-z]:[\\/]/i.test(u)) return new URL(u);
  if (isNode()) {
    const cwd = (globalThis as any).process.cwd() as string;
    const drive = /^[a-z]:[\\/]/i.test(u);
    const abs = u.startsWith('/') || drive ? u : `${cwd.replace(/[\\/]$/, '')}/${u}`;
    return new URL(`file://${drive || /^[a-z]:/i.test(abs) ? '/' : ''}${encodeURI(abs.replace(/\\/g, '/')).replace(/#/g, '%23').replace(/\?/g, '%3F')}`);
  }
  return new URL(u, (globalThis as { location?: { href: string } }).location?.href);
}

/**
 * Every op split over a pool of workers. Tensors live in SharedArrayBuffers that each worker
 * receives once; an op sends only buffer ids, params and ranges. Without SharedArrayBuffer
 * (a browser page that is not cross-origin isolated) operands are copied per task and the engine
 * says '+copy'. Workers start on the first op.
 */
export class WorkersRuntime implements BackendRuntime {
  /** The backend's registry name (in error messages). */
  readonly name = 'workers';
  /** Every live tensor buffer. */
  readonly storage: Storage;
  /** The worker pool (its diagnostics and test hooks: `@convkit/backend-workers/testing`). */
  readonly pool: WorkerPool;
  /** Whether tensors live in SharedArrayBuffers shared with the workers. */
  readonly shared: boolean;
  /** The `kernels` option as given ('auto' by default). */
  readonly kernelsOption: WorkersKernelsOption;
  readonly minTaskWork: number;
  readonly tasksPerWorker: number;
  /**
   * The main thread's own kernels (the `hostThread` option): it computes one share of every op
   * of two or more tasks (and the whole of a one-task op) instead of waiting for the workers.
   */
  readonly local: RangeKernels | null;
  readonly #base: string;
  /** the kernels asked of the workers after the main thread's probe: 'wasm' or 'js' */
  readonly #asked: 'wasm' | 'js';
  readonly #hostReason: string | undefined;

  /** Throws a RangeError for a bad `kernels` option, an Error for kernels: 'wasm' without SIMD here. */
  constructor(o: WorkersBackendOptions & { workers: number }) {
    this.shared = !o.forceCopy && sharedMemoryAvailable();
    const url = o.workerUrl === undefined ? defaultWorkerUrl() : toWorkerUrl(o.workerUrl);
    this.#base = `${isNode() ? 'worker_threads' : 'web-workers'}+${this.shared ? 'sab' : 'copy'}`;
    const kernels = o.kernels ?? 'auto';
    if (kernels !== 'auto' && kernels !== 'wasm' && kernels !== 'js') {
      throw new RangeError(`kernels must be 'auto', 'wasm' or 'js', got ${JSON.stringify(kernels)}`);
    }
    this.kernelsOption = kernels;
    const why = kernels === 'js' ? null : hostSimdReason(o);
    if (why && kernels === 'wasm') {
      throw new Error(`@convkit/backend-workers: kernels: 'wasm' was requested but WebAssembly SIMD is unavailable: ${why}`);
    }
    this.#asked = kernels === 'js' || why ? 'js' : 'wasm';
    this.#hostReason = why ?? undefined;
    this.storage = new Storage(this.shared);
    this.pool = new WorkerPool({
      size: o.workers,
      workerUrl: url,
      shared: this.shared,
      backendName: this.name,
      kernels: this.#asked === 'js' ? 'js' : kernels,
      simulateNoSimd: o.simulateNoSimd === 'workers' || o.simulateNoSimd === true,
    });
    this.storage.onFree = (ids) => this.pool.free(ids);
    this.minTaskWork = o.minTaskWork ?? DEFAULT_MIN_TASK_WORK;
    this.tasksPerWorker = o.tasksPerWorker ?? TASKS_PER_WORKER;
    this.local = o.hostThread === true && isNode() && this.shared ? hostKernels(this.#asked, () => this.kernels === 'wasm-simd') : null;
  }

  /**
   * The kernels the workers run: 'wasm-simd' (conv2d, its dx and dW, gemm and maxpool2d in
   * WebAssembly SIMD, the rest js) or 'js'. Once a worker has started this is what the workers
   * reported (each answers its init message with its own SIMD probe); before the first op it is the
   * main thread's probe, which the workers repeat (`kernelsVerified` says which).
   */
  get kernels(): 'wasm-simd' | 'js' {
    const r = this.pool.kernelReport.kernels;
    if (r) return r;
    return this.#asked === 'wasm' ? 'wasm-simd' : 'js';
  }

  /** Whether `kernels` / `engine` come from the workers' own report (true after the first op). */
  get kernelsVerified(): boolean {
    return this.pool.kernelReport.kernels !== null;
  }

  /**
   * e.g. 'worker_threads+sab+wasm-simd', 'worker_threads+sab+js', 'web-workers+copy+wasm-simd':
   * threads, memory (shared or copied), kernels (see `kernels`); '+main-thread' when the main
   * thread computes a share of each op too (`hostThread`).
   */
  get engine(): string {
    return `${this.#base}+${this.kernels}${this.local ? '+main-thread' : ''}`;
  }

  /**
   * Why the wasm SIMD kernels are not running although `kernels` was 'auto' (the main thread's or
   * a worker's probe failed); undefined when they run, or when 'js' was asked for.
   */
  get fallbackReason(): string | undefined {
    if (this.kernelsOption === 'js' || this.kernels === 'wasm-simd') return undefined;
    return this.#hostReason ?? this.pool.kernelReport.reason;
  }

  // the data side (BackendRuntime)
  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    return this.storage.write(values, dtype);
  }
  zeros(size: number, dtype: DType): DataId {
    return this.storage.alloc(size, dtype);
  }
  async read(id: DataId): Promise<Float32Array | Int32Array> {
    return this.storage.read(id);
  }
  readSync(id: DataId): Float32Array | Int32Array {
    return this.storage.read(id);
  }
  disposeData(id: DataId): void {
    this.storage.free(id);
  }
  memory(): BackendMemory {
    return { dataIds: this.storage.count, bytes: this.storage.bytes, workers: this.pool.liveWorkers };
  }
  async dispose(): Promise<void> {
    this.storage.clear();
    await this.pool.dispose();
  }

  /** Threads that compute an op: the workers, plus the main thread with `hostThread`. */
  get threads(): number {
    return this.pool.size + (this.local ? 1 : 0);
  }

  /** True when the partitioners should prefer the ranges the wasm drivers split natively. */
  get wasm(): boolean {
    return this.kernels === 'wasm-simd';
  }

  get(id: unknown): Rec {
    return this.storage.get(id);
  }

  /**
   * An op's output: may be a recycled buffer holding old values, so every op's tasks together write
   * every element (the backend-js kernel contract, KERNELS.md rule 3: accumulating kernels zero their
   * own range first; the wasm drivers compute into their heap and copy whole ranges out).
   */
  allocOutput(size: number, dtype: DType = 'float32'): Rec {
    return this.storage.allocUninit(size, dtype);
  }

  /**
   * Number of tasks for an op of this much work: up to `perWorker` tasks per worker (workers pull
   * tasks as they finish, so a worker slowed by other load takes fewer), none below minTaskWork,
   * and more than one per worker only when each has at least SPLIT_FACTOR x minTaskWork.
   */
  parts(work: number, perWorker = this.tasksPerWorker): number {
    const T = this.threads;
    const spread = taskCount(work, T, this.minTaskWork);
    if (spread < T || perWorker <= 1) return spread;
    // more than one task per worker only when each is still big: every task costs a round trip
    // through both event loops (~0.1-0.3 ms), which small ops (workload B) cannot pay for
    // (minTaskWork 1, the tests' finest split, keeps splitting every op into perWorker tasks each)
    const splitWork = this.minTaskWork <= 1 ? 1 : this.minTaskWork * SPLIT_FACTOR;
    const per = Math.min(perWorker, Math.floor(work / (T * splitWork)));
    return T * Math.max(1, per);
  }

  /**
   * Work sharing with the main thread: every task is posted to the workers at once with a claim
   * flag in a small SharedArrayBuffer; the workers take them from the front, the main thread from
   * the back, each running a task only if it flips its flag from 0 to 1 (Atomics.compareExchange),
   * so each task runs exactly once and a late or slow worker simply leaves more to the main thread.
   * The main thread stops at the first task a worker has claimed, then waits for the workers. A
   * one-task op runs on the main thread alone.
   */
  async #runShared(op: string, tasks: Task[], local: RangeKernels): Promise<TaskResult[]> {
    const mine = new Array<TaskResult | undefined>(tasks.length);
    const runLocal = (i: number) => {
      const t = tasks[i]!;
      const a: KernelArgs = {};
      for (const [name, rec] of Object.entries(t.args)) a[name] = rec ? rec.view : null;
      const { value, via } = local.run(t.kernel, t.p, a, t.r);
      this.pool.hostTasks++;
      if (via) this.pool.countRun(t.kernel, via);
      mine[i] = typeof value === 'number' ? { value } : {};
    };
    if (tasks.length === 1) {
      runLocal(0);
      return [mine[0]!];
    }
    const buf = new SharedArrayBuffer(4 * tasks.length);
    const claim = new Int32Array(buf);
    const pending = this.pool.run(op, tasks, true, buf);
    pending.catch(() => {}); // awaited below; a local failure must not leave it unhandled
    for (let i = tasks.length - 1; i >= 0; i--) {
      if (Atomics.compareExchange(claim, i, 0, 1) !== 0) break;
      runLocal(i);
    }
    const remote = await pending;
    return remote.map((r, i) => (r.skipped ? mine[i]! : r));
  }

  /** The main thread's js kernels for ops too small to send to a worker (see `execSmall`). */
  #hostJs: RangeKernels | null = null;

  /**
   * Like `exec`, but an op whose whole `work` is below `minTaskWork` (one task) runs on the main
   * thread at once: a round trip through a worker's event loop costs more than such an op (a bias
   * add, a global pooling's [N, C] output, a softmax over 10 classes). The main thread runs the js
   * kernels, so a kernel that has a wasm version (SMALL_ON_WORKERS_WITH_WASM) stays on a worker
   * while the workers run wasm: the result has the same bits wherever it runs.
   */
  async execSmall(op: string, tasks: Task[], outputs: Rec[], work: number): Promise<TaskResult[]> {
    const wasmKernel = this.wasm && SMALL_ON_WORKERS_WITH_WASM.has(tasks[0]?.kernel as KernelName);
    if (tasks.length !== 1 || work >= this.minTaskWork || wasmKernel) return this.exec(op, tasks, outputs);
    if (this.pool.disposed) {
      for (const o of outputs) this.storage.free(o);
      throw new BackendExecutionError(op, this.name, 'the backend was disposed');
    }
    const t = tasks[0]!;
    const a: KernelArgs = {};
    for (const [name, rec] of Object.entries(t.args)) a[name] = rec ? rec.view : null;
    try {
      const { value } = (this.#hostJs ??= createRangeKernels(null)).run(t.kernel, t.p, a, t.r);
      this.pool.hostTasks++;
      return [typeof value === 'number' ? { value } : {}];
    } catch (e) {
      for (const o of outputs) this.storage.free(o);
      throw new BackendExecutionError(op, this.name, e instanceof Error ? e.message : String(e), { cause: e });
    }
  }

  /**
   * Runs the tasks; on any failure frees `outputs` (never returned half-computed) and throws a
   * BackendExecutionError.
   */
  async exec(op: string, tasks: Task[], outputs: Rec[]): Promise<TaskResult[]> {
    if (this.pool.disposed) {
      // the main thread's share (hostThread) would otherwise still run after dispose
      for (const o of outputs) this.storage.free(o);
      throw new BackendExecutionError(op, this.name, 'the backend was disposed');
    }
    // the buffers in use are never recycled while the op runs (a tensor disposed meanwhile)
    const used = new Set<Rec>();
    for (const t of tasks) for (const r of Object.values(t.args)) if (r) used.add(r);
    for (const r of used) r.busy = (r.busy ?? 0) + 1;
    try {
      // the main thread joins in once the workers have said which kernels they run (after the
      // first op), so its share always uses the same kernel set as theirs
      const join = this.local && this.storage.shared && this.pool.kernelReport.kernels !== null;
      const res = join ? await this.#runShared(op, tasks, this.local!) : await this.pool.run(op, tasks);
      for (const r of used) r.busy!--;
      return res;
    } catch (e) {
      // a failed op's other tasks may still be running: its buffers stay busy (never recycled)
      for (const o of outputs) this.storage.free(o);
      if (e instanceof BackendExecutionError) throw e;
      throw new BackendExecutionError(op, this.name, e instanceof Error ? e.message : String(e), { cause: e });
    }
  }
}
