import {
  OP_NAMES,
  registry as defaultRegistry,
  type BackendDescriptor,
  type BackendMemory,
  type Conv2dBackwardResult,
  type Conv2dBackwardWants,
  type Conv2dParams,
  type DataId,
  type DType,
  type GemmParams,
  type Im2colParams,
  type KernelBackend,
  type MaxPool2dParams,
  type OpName,
  type Precision,
  type Probe,
  type Registry,
  type SgdParams,
  type SoftmaxXentParams,
} from '@convkit/core';
import { simdUnavailableReason } from '@convkit/wasm-kernels';
import { defaultPoolSize, isNode, sharedMemoryAvailable } from './env.js';
import { probeWorkers } from './probe.js';
import { createKernelTable, type KernelTable } from './table.js';
import { WORKERS_OPTION_KEYS } from './options.js';
import { startWasmKernels } from './wasm.js';
import { Host, TASKS_PER_WORKER } from './host.js';
import { WorkerPool } from './pool.js';
import { Storage } from './storage.js';
import { gemm } from './ops/gemm.js';
import { im2col } from './ops/im2col.js';
import { col2im } from './ops/col2im.js';
import { conv2d } from './ops/conv2d.js';
import { conv2dBackward } from './ops/conv2dBackward.js';
import { maxpool2d } from './ops/maxpool2d.js';
import { maxpool2dBackward } from './ops/maxpool2dBackward.js';
import { sgd } from './ops/sgd.js';
import { relu } from './ops/relu.js';
import { reluBackward } from './ops/reluBackward.js';
import { softmaxCrossEntropy } from './ops/softmaxCrossEntropy.js';
import { softmaxCrossEntropyBackward } from './ops/softmaxCrossEntropyBackward.js';

/**
 * float32 kernels (backend-js's, or backend-wasm's SIMD kernels that accumulate in float32 depth
 * blocks of <= 256, as the wasm backend): the float32 tolerance of CONVENTIONS.md.
 */
export const WORKERS_PRECISION: Precision = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

export interface WorkersBackendOptions {
  /** Pool size. Default: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
  workers?: number;
  /**
   * URL of the worker script. Default: worker.js beside this module (dist/worker.js); a browser
   * bundle must ship the worker bundle at that URL or pass its own.
   */
  workerUrl?: string | URL;
  /** Copy operands to the workers instead of sharing memory, even where SharedArrayBuffer works. */
  forceCopy?: boolean;
  /**
   * Smallest work (multiply-adds or elements) worth one task; smaller ops use fewer workers.
   * Default 65536. 1 splits every op over every worker (tests use it).
   */
  minTaskWork?: number;
  /** Most tasks per worker a big op is cut into (workers pull them as they finish). Default 4. */
  tasksPerWorker?: number;
  /**
   * Kernels the workers run for conv2d (forward, dx, dW), gemm and maxpool2d. 'auto' (default):
   * @convkit/backend-wasm's WebAssembly SIMD kernels where wasm SIMD validates, else the js kernels
   * (reported by `engine` and `fallbackReason`); 'wasm': SIMD kernels or an error; 'js': always the
   * js kernels (results bit-identical to the js backend). The other ops always run js kernels.
   */
  kernels?: WorkersKernelsOption;
  /**
   * Test hook: make the WebAssembly SIMD probe fail, on the main thread and in the workers (true)
   * or only in the workers ('workers', so the engine must change to what the workers report).
   */
  simulateNoSimd?: boolean | 'workers';
  /**
   * Node, shared memory: the main thread computes a share of every op itself (the last
   * tasks / (workers + 1) tasks of it, synchronously, with its own kernels on the same shared
   * buffers) while the workers compute the rest, and runs one-task ops alone, as XNNPACK's pool
   * computes on the calling thread. Saves waking a sleeping worker and waiting for the main thread
   * to be scheduled for its answers (on a 2-vCPU VM each cost 0.5-3 ms per op). The default pool
   * size becomes cores - 1. Blocks the main thread while it computes. Default false.
   */
  hostThread?: boolean;
}

/** The `kernels` option of the workers backend. */
export type WorkersKernelsOption = 'auto' | 'wasm' | 'js';

/** Why WebAssembly SIMD cannot run on this thread (or under the test hook), or null when it can. */
function hostSimdReason(o: { simulateNoSimd?: boolean | 'workers' }): string | null {
  if (o.simulateNoSimd === true) return 'WebAssembly SIMD probe disabled by the simulateNoSimd test hook';
  return simdUnavailableReason();
}

export const DEFAULT_MIN_TASK_WORK = 1 << 16;

/**
 * The main thread's kernels for the `hostThread` option: the same set as the workers run (their
 * own report, `wasm()`), so an op never mixes wasm and js kernels and `engine` stays true; js when
 * wasm SIMD does not start on the main thread either (then the workers were not asked for it).
 */
function hostKernels(asked: 'wasm' | 'js', wasm: () => boolean): KernelTable {
  const js = createKernelTable(null);
  if (asked === 'js') return js;
  const r = startWasmKernels(false);
  const simd = 'kernels' in r ? createKernelTable(r.kernels) : js;
  return { run: (kernel, p, a, range) => (wasm() ? simd : js).run(kernel, p, a, range) };
}

function defaultWorkerUrl(): URL {
  return new URL('./worker.js', import.meta.url);
}

/** A URL (or URL string), a page-relative URL in browsers, or a file path in Node. */
function toWorkerUrl(u: string | URL): URL {
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
 * says '+copy'.
 */
export class WorkersBackend implements KernelBackend {
  readonly name = 'workers';
  readonly capabilities: ReadonlySet<OpName> = new Set(OP_NAMES);
  readonly precision: Precision = WORKERS_PRECISION;
  /** The worker pool (test hooks: terminateWorker, injectFault, liveWorkers). */
  readonly pool: WorkerPool;
  /** Whether tensors live in SharedArrayBuffers shared with the workers. */
  readonly shared: boolean;
  /** The `kernels` option as given ('auto' by default). */
  readonly kernelsOption: WorkersKernelsOption;
  readonly #base: string;
  /** the kernels asked of the workers after the main thread's probe: 'wasm' or 'js' */
  readonly #asked: 'wasm' | 'js';
  readonly #hostReason: string | undefined;
  readonly #s: Storage;
  readonly #h: Host;

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
    this.#s = new Storage(this.shared);
    this.pool = new WorkerPool({
      size: o.workers,
      workerUrl: url,
      shared: this.shared,
      backendName: this.name,
      kernels: this.#asked === 'js' ? 'js' : kernels,
      simulateNoSimd: o.simulateNoSimd === 'workers' || o.simulateNoSimd === true,
    });
    this.#s.onFree = (ids) => this.pool.free(ids);
    this.#h = new Host(
      this.name,
      this.#s,
      this.pool,
      o.minTaskWork ?? DEFAULT_MIN_TASK_WORK,
      o.tasksPerWorker ?? TASKS_PER_WORKER,
      () => this.kernels === 'wasm-simd',
      o.hostThread === true && isNode() && this.shared ? hostKernels(this.#asked, () => this.kernels === 'wasm-simd') : null,
    );
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
    return `${this.#base}+${this.kernels}${this.#h.local ? '+main-thread' : ''}`;
  }

  /**
   * Why the wasm SIMD kernels are not running although `kernels` was 'auto' (the main thread's or
   * a worker's probe failed); undefined when they run, or when 'js' was asked for.
   */
  get fallbackReason(): string | undefined {
    if (this.kernelsOption === 'js' || this.kernels === 'wasm-simd') return undefined;
    return this.#hostReason ?? this.pool.kernelReport.reason;
  }

  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    return this.#s.write(values, dtype);
  }
  zeros(size: number, dtype: DType): DataId {
    return this.#s.alloc(size, dtype);
  }
  async read(id: DataId): Promise<Float32Array | Int32Array> {
    return this.#s.read(id);
  }
  readSync(id: DataId): Float32Array | Int32Array {
    return this.#s.read(id);
  }
  disposeData(id: DataId): void {
    this.#s.free(id);
  }
  memory(): BackendMemory {
    return { dataIds: this.#s.count, bytes: this.#s.bytes, workers: this.pool.liveWorkers };
  }
  async dispose(): Promise<void> {
    this.#s.clear();
    await this.pool.dispose();
  }

  gemm(a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): Promise<DataId> {
    return gemm(this.#h, a, b, c, bias, p);
  }
  im2col(x: DataId, p: Im2colParams): Promise<DataId> {
    return im2col(this.#h, x, p);
  }
  col2im(cols: DataId, p: Im2colParams): Promise<DataId> {
    return col2im(this.#h, cols, p);
  }
  conv2d(x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): Promise<DataId> {
    return conv2d(this.#h, x, w, bias, p);
  }
  conv2dBackward(x: DataId, w: DataId, dy: DataId, p: Conv2dParams, wants: Conv2dBackwardWants): Promise<Conv2dBackwardResult> {
    return conv2dBackward(this.#h, x, w, dy, p, wants);
  }
  maxpool2d(x: DataId, p: MaxPool2dParams): Promise<{ y: DataId; indices: DataId }> {
    return maxpool2d(this.#h, x, p);
  }
  maxpool2dBackward(dy: DataId, indices: DataId, p: MaxPool2dParams): Promise<DataId> {
    return maxpool2dBackward(this.#h, dy, indices, p);
  }
  sgd(w: DataId, g: DataId, v: DataId, p: SgdParams): Promise<void> {
    return sgd(this.#h, w, g, v, p);
  }
  relu(x: DataId, size: number): Promise<DataId> {
    return relu(this.#h, x, size);
  }
  reluBackward(x: DataId, dy: DataId, size: number): Promise<DataId> {
    return reluBackward(this.#h, x, dy, size);
  }
  softmaxCrossEntropy(logits: DataId, labels: DataId, p: SoftmaxXentParams): Promise<{ loss: DataId; probs: DataId }> {
    return softmaxCrossEntropy(this.#h, logits, labels, p);
  }
  softmaxCrossEntropyBackward(probs: DataId, labels: DataId, p: SoftmaxXentParams): Promise<DataId> {
    return softmaxCrossEntropyBackward(this.#h, probs, labels, p);
  }
}

/** Creates the backend; workers start on the first op. */
export async function createWorkersBackend(o: WorkersBackendOptions = {}): Promise<WorkersBackend> {
  const workers = o.workers ?? (o.hostThread === true && isNode() ? Math.max(1, (await defaultPoolSize()) - 1) : await defaultPoolSize());
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be an integer >= 1, got ${workers}`);
  return new WorkersBackend({ ...o, workers });
}

/**
 * The probe's answer while it holds (a worker answered), per worker script: the platform does not
 * change within a process, but a bundled page may give its own worker URL (options.workerUrl).
 */
const probed = new Map<string, Promise<Probe>>();

/**
 * Registry descriptor. The probe starts one real worker and has it compute a tiny GEMM (see
 * probeWorkers): 'available' means a worker answered with the right numbers, the reason is the
 * engine it reported. Priority 27 with shared memory, wasm SIMD and more than one core (above the
 * single-thread wasm backend's 25, below GPU backends' 30), 20 with shared memory and js kernels
 * (above js's 10), 5 without shared memory (every task copies its operands: the single-thread js
 * or wasm backend is preferred then). A positive answer is kept for the process; a negative one
 * is asked again next time.
 */
export const workersBackend: BackendDescriptor<WorkersBackendOptions> = {
  name: 'workers',
  priority: 20,
  optionKeys: WORKERS_OPTION_KEYS,
  probe(o?: WorkersBackendOptions): Promise<Probe> {
    const url = o?.workerUrl === undefined ? undefined : toWorkerUrl(o.workerUrl);
    const key = url?.href ?? '';
    let p = probed.get(key);
    if (!p) {
      p = probeWorkers(url ? { workerUrl: url } : {});
      probed.set(key, p);
      const mine = p;
      void mine.then((r) => {
        if (!r.available && probed.get(key) === mine) probed.delete(key);
      });
    }
    return p;
  },
  create: (o?: WorkersBackendOptions) => createWorkersBackend(o),
};

/** Registers the workers backend on `registry` (default: core's process-wide registry). */
export function register(registry: Registry = defaultRegistry): Registry {
  return registry.register(workersBackend);
}
