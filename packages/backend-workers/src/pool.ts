import { BackendExecutionError, type DType } from '@convkit/core';
import { importNode, isNode } from './env.js';
import type { ArgRef, Fault, FromWorker, KernelName, RunMsg, Seg, ToWorker, WorkerKernels } from './protocol.js';
import type { Rec } from './storage.js';

/** One unit of work for one worker: a kernel call over a range of its output. */
export interface Task {
  kernel: KernelName;
  p: unknown;
  /** tensor arguments by the kernel's argument name (null = absent, e.g. no bias) */
  args: Record<string, Rec | null>;
  /** names of the arguments this task writes, and which of their elements (copy mode returns those) */
  outs: Record<string, Seg[]>;
  /** range arguments, in the kernel's order */
  r: number[];
}

export interface TaskResult {
  value?: number;
  /** hostThread: the main thread had claimed the task, the worker did not run it */
  skipped?: boolean;
}

/**
 * One task's timeline (diagnostics, `pool.profile`): absolute ms (performance.timeOrigin + now())
 * on the host (`post`, `back`) and in the worker (`tm`, see DoneMsg.tm).
 */
export interface TaskProfile {
  op: string;
  kernel: KernelName;
  worker: number;
  post: number;
  back: number;
  tm: number[];
  via?: 'wasm' | 'js';
}

const now = (): number => performance.timeOrigin + performance.now();

/** What the pool needs from a worker, in Node (worker_threads) and browsers (Web Workers). */
interface WorkerHandle {
  post(msg: ToWorker, transfer?: Transferable[]): void;
  terminate(): unknown;
  ref(): void;
  unref(): void;
}

type Spawner = (
  url: URL,
  onMessage: (m: FromWorker) => void,
  onFatal: (reason: string) => void,
  onEnded: () => void,
) => WorkerHandle;

/** `--input-type=module`, `--input-type module`, `-e code`, `--eval=code`, `-p code`, `--print=code`: string input only. */
const STRING_INPUT = /^(--input-type|-e|--eval|-p|--print)(=|$)/;

/**
 * The flags to start a worker with. undefined (Node's own default) wherever Node's inheritance
 * works: the worker gets the parent's execArgv minus what a worker cannot take (V8 options such
 * as --max-old-space-size, --stack-size, --expose-gc, and per-process ones such as --title are
 * process-wide: Node drops them for the worker without an error, whereas an explicit execArgv
 * holding any of them makes `new Worker()` throw ERR_WORKER_INVALID_EXEC_ARGV). The one case Node's
 * inheritance breaks is string input (`node --input-type=module -e ...` or stdin): the worker
 * inherits --input-type and refuses to load a file. Then the parent's flags without the string
 * input ones are passed; `dropped` are flags a Worker constructor rejected (see nodeSpawner).
 */
export function workerExecArgv(execArgv: readonly string[], dropped: ReadonlySet<string> = new Set()): string[] | undefined {
  if (!execArgv.some((a) => /^--input-type(=|$)/.test(a))) return undefined;
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    const m = STRING_INPUT.exec(a);
    if (m) {
      if (m[2] === '') i++; // its value is the next argument
      continue;
    }
    if (!dropped.has(a)) out.push(a);
  }
  return out;
}

/** The flags named by ERR_WORKER_INVALID_EXEC_ARGV ("Initiated Worker with invalid execArgv flags: a, b"). */
function rejectedFlags(e: unknown, given: readonly string[]): string[] {
  const list = String((e as Error).message).replace(/^[^:]*:\s*/, '');
  return given.filter((a) => list.split(', ').includes(a));
}

async function nodeSpawner(): Promise<Spawner> {
  const wt = await importNode<typeof import('node:worker_threads')>('worker_threads');
  const parent = (globalThis as any).process.execArgv as string[];
  const dropped = new Set<string>();
  /** set when the rejected flags could not be told apart: workers start with none of the parent's */
  let bare = false;
  /** a Worker with the parent's flags (see workerExecArgv); flags the constructor rejects are left out from then on */
  const start = (url: URL) => {
    for (;;) {
      const execArgv = bare ? [] : workerExecArgv(parent, dropped);
      try {
        return new wt.Worker(url, execArgv ? { execArgv } : {});
      } catch (e) {
        if (!execArgv || execArgv.length === 0 || (e as { code?: string })?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
        const bad = rejectedFlags(e, execArgv);
        if (bad.length === 0) bare = true;
        for (const a of bad) dropped.add(a);
      }
    }
  };
  return (url, onMessage, onFatal, onEnded) => {
    const w = start(url);
    w.on('message', onMessage);
    w.on('error', (e: Error) => onFatal(`uncaught error in the worker: ${e?.message ?? e}`));
    w.on('messageerror', (e: Error) => onFatal(`a message could not be deserialized: ${e?.message ?? e}`));
    w.on('exit', (code: number) => {
      onEnded();
      onFatal(`the worker thread exited (code ${code})`);
    });
    // idle workers never keep the process alive; the pool refs a worker while it has tasks
    w.unref();
    return {
      post: (m, t) => w.postMessage(m, t as any),
      terminate: () => w.terminate(),
      ref: () => w.ref(),
      unref: () => w.unref(),
    };
  };
}

function webSpawner(): Spawner {
  return (url, onMessage, onFatal, onEnded) => {
    const W = (globalThis as unknown as { Worker: typeof Worker }).Worker;
    const w = new W(url, { type: 'module' });
    w.onmessage = (ev: MessageEvent) => onMessage(ev.data as FromWorker);
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault?.();
      onFatal(`uncaught error in the worker: ${ev.message || 'failed to load or crashed'}`);
    };
    w.onmessageerror = () => onFatal('a message could not be deserialized');
    return {
      post: (m, t) => w.postMessage(m, (t ?? []) as Transferable[]),
      terminate: () => {
        w.terminate(); // a Web Worker ends synchronously and fires no event
        onEnded();
      },
      ref: () => {},
      unref: () => {},
    };
  };
}

interface Pending {
  op: string;
  task: Task;
  /** host time the task was posted (only when profiling) */
  post?: number;
  resolve(r: TaskResult): void;
  reject(e: Error): void;
}

class Slot {
  handle: WorkerHandle | null = null;
  /** buffer ids this worker holds */
  known = new Set<number>();
  pending = new Map<number, Pending>();
  toFree: number[] = [];
  fault: Fault | null = null;
  stallWaiters: (() => void)[] = [];
  spawned = 0;
  tasksSent = 0;
  /** what the current worker said it runs (its ReadyMsg), null until it answered */
  kernels: WorkerKernels | null = null;
  constructor(readonly index: number) {}
}

let nextTaskId = 1;

export interface PoolOptions {
  size: number;
  workerUrl: URL;
  shared: boolean;
  backendName: string;
  /** kernels every worker is asked to run (InitMsg). Default 'js'. */
  kernels?: 'auto' | 'wasm' | 'js';
  /** test hook: the workers' SIMD probe fails */
  simulateNoSimd?: boolean;
}

/** What the workers reported about their kernels (ReadyMsg), over every worker started so far. */
export interface KernelReport {
  /** 'wasm-simd' when every worker that answered runs the wasm kernels, 'js' when any runs js only; null before any answered */
  kernels: WorkerKernels | null;
  /** why a worker runs js although wasm was asked for (first such reason) */
  reason?: string;
  /** workers that answered */
  workers: number;
}

/**
 * A fixed-size pool of workers that start lazily, on the first op. Each op is split into tasks
 * that run on different workers at once. A worker that dies (crash, exit, terminate) rejects
 * its pending tasks at once with a BackendExecutionError and is replaced on the next op.
 */
export class WorkerPool {
  readonly size: number;
  readonly shared: boolean;
  readonly #url: URL;
  readonly #name: string;
  readonly #slots: Slot[];
  #spawner: Spawner | null = null;
  #spawnerPromise: Promise<Spawner> | null = null;
  #disposed = false;
  #flushQueued = false;
  #ended = 0;
  /**
   * Traffic counters: task messages sent, SharedArrayBuffers handed to a worker (once per worker
   * and buffer), and bytes of tensor data copied into messages (0 in shared mode).
   */
  readonly stats = { tasks: 0, buffersShared: 0, bytesCopied: 0 };
  /** Diagnostics (scripts/profile.mjs): when an array, every task's timeline is pushed to it. */
  profile: TaskProfile[] | null = null;
  /**
   * Per kernel that has a wasm version (conv2d, conv2dBackwardData, conv2dBackwardFilter, gemm,
   * maxpool2d): how many tasks the workers say ran in wasm and how many in js.
   */
  readonly kernelRuns: Partial<Record<KernelName, { wasm: number; js: number }>> = {};
  /** Tasks the main thread ran itself (the backend's `hostThread` option). */
  hostTasks = 0;

  /** Counts one task of `kernel` in `kernelRuns` (a worker's answer, or the main thread's own run). */
  countRun(kernel: KernelName, via: 'wasm' | 'js'): void {
    (this.kernelRuns[kernel] ??= { wasm: 0, js: 0 })[via]++;
  }
  readonly #kernels: 'auto' | 'wasm' | 'js';
  readonly #simulateNoSimd: boolean;
  #report: KernelReport = { kernels: null, workers: 0 };

  constructor(o: PoolOptions) {
    this.size = o.size;
    this.shared = o.shared;
    this.#url = o.workerUrl;
    this.#name = o.backendName;
    this.#slots = Array.from({ length: o.size }, (_, i) => new Slot(i));
    this.#kernels = o.kernels ?? 'js';
    this.#simulateNoSimd = o.simulateNoSimd === true;
  }

  /** The workers' own report of the kernels they run (each answers its init message). */
  get kernelReport(): KernelReport {
    return { ...this.#report };
  }

  /** Workers currently running. 0 until the first op (lazy start) and after dispose(). */
  get liveWorkers(): number {
    return this.#slots.filter((s) => s.handle !== null).length;
  }

  /** Workers started so far, replacements included. */
  get spawnedWorkers(): number {
    return this.#slots.reduce((n, s) => n + s.spawned, 0);
  }

  /** Workers whose thread has really ended (Node: 'exit' event; browsers: terminated). */
  get endedWorkers(): number {
    return this.#ended;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Tasks sent to each worker slot so far. */
  get tasksPerWorker(): number[] {
    return this.#slots.map((s) => s.tasksSent);
  }

  /** Tasks sent and not yet answered. */
  get pendingTasks(): number {
    return this.#slots.reduce((n, s) => n + s.pending.size, 0);
  }

  /**
   * Test hook: the next task sent to worker `i` misbehaves. 'crash' throws an uncaught error
   * out of the worker's message handler, 'exit' ends the worker thread (Node), 'throw' makes the
   * kernel throw (the worker survives), 'stall' blocks inside the op until terminated, 'slow'
   * delays the task by 0.4 s (as if the worker's core were busy).
   */
  injectFault(i: number, fault: Fault): void {
    this.#slot(i).fault = fault;
  }

  /** Test hook: resolves once worker `i` is stuck in a task sent with the 'stall' fault. */
  whenStalled(i: number): Promise<void> {
    const s = this.#slot(i);
    return new Promise((res) => s.stallWaiters.push(res));
  }

  /** Test hook: terminates worker `i` now, as a crash would. Its pending tasks reject. */
  async terminateWorker(i: number): Promise<void> {
    const s = this.#slot(i);
    const h = s.handle;
    if (!h) return;
    this.#fatal(s, h, `worker ${i} was terminated by terminateWorker(${i})`);
    await h.terminate();
  }

  #slot(i: number): Slot {
    const s = this.#slots[i];
    if (!s) throw new RangeError(`no worker ${i} (pool size ${this.size})`);
    return s;
  }

  async #getSpawner(): Promise<Spawner> {
    if (this.#spawner) return this.#spawner;
    this.#spawnerPromise ??= isNode() ? nodeSpawner() : Promise.resolve(webSpawner());
    this.#spawner = await this.#spawnerPromise;
    return this.#spawner;
  }

  #spawn(s: Slot, spawner: Spawner): WorkerHandle {
    let h: WorkerHandle | null = null;
    const onMessage = (m: FromWorker) => this.#onMessage(s, h!, m);
    const onFatal = (reason: string) => {
      if (h) this.#fatal(s, h, `worker ${s.index} died: ${reason}`);
    };
    let ended = false;
    const onEnded = () => {
      if (!ended) this.#ended++;
      ended = true;
    };
    h = spawner(this.#url, onMessage, onFatal, onEnded);
    s.handle = h;
    s.known.clear();
    s.toFree = [];
    s.kernels = null;
    s.spawned++;
    // the first message: which kernels to run; the worker answers with what it really runs
    h.post({ t: 'init', kernels: this.#kernels, ...(this.#simulateNoSimd ? { simulateNoSimd: true } : {}) });
    return h;
  }

  /** `reason` rejects the worker's pending tasks; `final` (dispose): no replacement follows. */
  #fatal(s: Slot, h: WorkerHandle, reason: string, final = false): void {
    if (s.handle !== h) return; // already replaced
    s.handle = null;
    s.known.clear();
    s.toFree = [];
    const pend = [...s.pending.values()];
    s.pending.clear();
    try {
      void Promise.resolve(h.terminate()).catch(() => {});
    } catch {
      /* already gone */
    }
    for (const p of pend) {
      p.reject(
        new BackendExecutionError(
          p.op,
          this.#name,
          final
            ? `${reason} while the op ran; its outputs were not produced (dispose ends the backend: no further op can run on it)`
            : `${reason}; the op's outputs were not produced (the pool starts a new worker for the next op)`,
        ),
      );
    }
  }

  #onMessage(s: Slot, h: WorkerHandle, m: FromWorker): void {
    if (s.handle !== h) return;
    if (m.t === 'ready') {
      s.kernels = m.kernels;
      const r = this.#report;
      r.workers++;
      r.kernels = r.kernels === 'js' || m.kernels === 'js' ? 'js' : 'wasm-simd';
      if (m.reason && r.reason === undefined) r.reason = m.reason;
      return;
    }
    if (m.t === 'stalling') {
      const ws = s.stallWaiters;
      s.stallWaiters = [];
      for (const w of ws) w();
      return;
    }
    const p = s.pending.get(m.id);
    if (!p) return;
    s.pending.delete(m.id);
    if (s.pending.size === 0) h.unref();
    if (m.t === 'fail') {
      p.reject(new BackendExecutionError(p.op, this.#name, `worker ${s.index}, kernel ${p.task.kernel}: ${m.message}`));
      return;
    }
    if (!this.shared && m.out) {
      // copy mode: unpack the regions this task computed into the main-thread outputs
      for (const [name, segs] of Object.entries(p.task.outs)) {
        const dst = p.task.args[name]!.view;
        const src = m.out[name]!;
        let o = 0;
        for (const [a, b] of segs) {
          dst.set(src.subarray(o, o + (b - a)), a);
          o += b - a;
        }
      }
    }
    if (m.skipped) {
      p.resolve({ skipped: true });
      return;
    }
    if (m.via) this.countRun(p.task.kernel, m.via);
    if (m.tm && p.post !== undefined && this.profile) {
      this.profile.push({ op: p.op, kernel: p.task.kernel, worker: s.index, post: p.post, back: now(), tm: m.tm, via: m.via });
    }
    p.resolve({ value: m.value });
  }

  /**
   * Runs the tasks of one op on the pool, in order, each worker pulling the next task when it
   * finishes one (so a worker slowed down by other load takes fewer tasks). While more tasks are
   * left than there are workers, each worker also holds one task queued behind the one it runs: it
   * starts that one the moment it finishes, without waiting for the main thread to see its answer
   * and send the next (on this project's VM the main thread's wake-up alone took up to ~5 ms at
   * times, with a core idle meanwhile). Near the end the queue is one deep again, so the last
   * tasks still go to whichever worker is free. Rejects as soon as any task fails, and sends no
   * further task of that op.
   */
  async run(op: string, tasks: Task[], queueAll = false, claim?: SharedArrayBuffer): Promise<TaskResult[]> {
    if (this.#disposed) throw new BackendExecutionError(op, this.#name, 'the backend was disposed');
    // once the spawner exists the tasks are posted before run() returns (the host may compute its
    // own share right after: the workers must already have theirs)
    const spawner = this.#spawner ?? (await this.#getSpawner());
    if (this.#disposed) throw new BackendExecutionError(op, this.#name, 'the backend was disposed');
    if (tasks.length === 0) return [];
    return new Promise<TaskResult[]>((resolve, reject) => {
      const results = new Array<TaskResult>(tasks.length);
      let next = 0;
      let finished = 0;
      let failed = false;
      // one task to each of the least busy workers first (other ops may be running too)
      const order = [...this.#slots].sort((a, b) => a.pending.size - b.pending.size).slice(0, Math.min(this.#slots.length, tasks.length));
      const inflight = new Map<Slot, number>(order.map((s) => [s, 0]));
      const pull = (s: Slot) => {
        const i = next++;
        inflight.set(s, inflight.get(s)! + 1);
        this.#post(op, s, spawner, tasks[i]!, claim ? [claim, i] : undefined).then(
          (r) => {
            results[i] = r;
            inflight.set(s, inflight.get(s)! - 1);
            if (++finished === tasks.length) resolve(results);
            else fill(s);
          },
          (e: Error) => {
            if (!failed) {
              failed = true;
              reject(e);
            }
          },
        );
      };
      /** keeps `s` busy: one task, and one queued behind it while more are left than workers */
      const fill = (s: Slot) => {
        while (!failed && next < tasks.length) {
          const q = inflight.get(s)!;
          if (!queueAll && (q >= 2 || (q === 1 && tasks.length - next <= order.length))) break;
          pull(s);
        }
      };
      for (const s of order) if (next < tasks.length) pull(s);
      if (queueAll) {
        // every task now, round robin (the host thread computes meanwhile and cannot feed them later)
        for (let j = 0; next < tasks.length; j++) pull(order[j % order.length]!);
      } else for (const s of order) fill(s);
    });
  }

  #post(op: string, s: Slot, spawner: Spawner, task: Task, claim?: [SharedArrayBuffer, number]): Promise<TaskResult> {
    return new Promise<TaskResult>((resolve, reject) => {
      if (this.#disposed) {
        reject(new BackendExecutionError(op, this.#name, 'the backend was disposed'));
        return;
      }
      const h = s.handle ?? this.#spawn(s, spawner);
      const id = nextTaskId++;
      const a: Record<string, ArgRef> = {};
      const bufs: [number, SharedArrayBuffer, DType][] = [];
      for (const [name, rec] of Object.entries(task.args)) {
        if (rec === null) {
          a[name] = null;
        } else if (this.shared) {
          a[name] = rec.bufId;
          if (!s.known.has(rec.bufId)) {
            s.known.add(rec.bufId);
            bufs.push([rec.bufId, rec.buf as SharedArrayBuffer, rec.dtype]);
          }
        } else if (name in task.outs) {
          a[name] = { alloc: rec.dtype, size: rec.size };
        } else {
          a[name] = rec.view; // copied by postMessage
          this.stats.bytesCopied += rec.view.byteLength;
        }
      }
      const msg: RunMsg = { t: 'run', id, kernel: task.kernel, p: task.p, a, r: task.r };
      if (bufs.length) msg.bufs = bufs;
      if (claim) msg.claim = claim;
      this.stats.tasks++;
      s.tasksSent++;
      this.stats.buffersShared += bufs.length;
      if (!this.shared) msg.ret = task.outs as Record<string, Seg[]>;
      if (s.fault) {
        msg.fault = s.fault;
        s.fault = null;
      }
      const pend: Pending = { op, task, resolve, reject };
      if (this.profile) {
        msg.prof = 1;
        pend.post = now();
      }
      s.pending.set(id, pend);
      h.ref();
      try {
        h.post(msg);
      } catch (e) {
        s.pending.delete(id);
        if (s.pending.size === 0) h.unref();
        reject(new BackendExecutionError(op, this.#name, `could not send the task to worker ${s.index}: ${(e as Error).message}`));
      }
    });
  }

  /** Tells the workers that hold these buffers to drop them (batched per microtask). */
  free(ids: number[]): void {
    for (const s of this.#slots) {
      if (!s.handle) continue;
      for (const id of ids) if (s.known.delete(id)) s.toFree.push(id);
    }
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => {
        this.#flushQueued = false;
        for (const s of this.#slots) {
          if (s.handle && s.toFree.length) {
            const ids = s.toFree;
            s.toFree = [];
            try {
              s.handle.post({ t: 'free', ids });
            } catch {
              /* a dead worker holds nothing */
            }
          }
        }
      });
    }
  }

  /** Ends every worker; pending tasks reject. Later ops fail. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    const ends: unknown[] = [];
    for (const s of this.#slots) {
      const h = s.handle;
      if (!h) continue;
      this.#fatal(s, h, 'the backend was disposed (ctx.dispose() or backend.dispose())', true);
      ends.push(h.terminate());
    }
    await Promise.allSettled(ends);
  }
}
