import { BackendExecutionError, type DType } from '@convkit/core';
import type { Task, TaskResult, WorkerPool } from './pool.js';
import type { KernelArgs, KernelTable } from './table.js';
import type { Rec, Storage } from './storage.js';
import { taskCount } from './partition.js';

/** Tasks per worker for big ops: enough to balance a loaded machine, few enough to stay cheap. */
export const TASKS_PER_WORKER = 4;

/** A worker gets more than one task of an op only when each is at least SPLIT_FACTOR x minTaskWork. */
export const SPLIT_FACTOR = 256;

/** What each op file needs from the backend: storage, the pool and the split policy. */
export class Host {
  constructor(
    readonly name: string,
    readonly storage: Storage,
    readonly pool: WorkerPool,
    readonly minTaskWork: number,
    readonly tasksPerWorker: number = TASKS_PER_WORKER,
    /** whether the workers run the wasm SIMD kernels (what they reported, else what was asked) */
    readonly wasmKernels: () => boolean = () => false,
    /**
     * The main thread's own kernels (the `hostThread` option): it computes one share of every op
     * of two or more tasks (and the whole of a one-task op) instead of waiting for the workers.
     */
    readonly local: KernelTable | null = null,
  ) {}

  /** Threads that compute an op: the workers, plus the main thread with `hostThread`. */
  get threads(): number {
    return this.pool.size + (this.local ? 1 : 0);
  }

  /** True when the partitioners should prefer the ranges the wasm drivers split natively. */
  get wasm(): boolean {
    return this.wasmKernels();
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
  async #runShared(op: string, tasks: Task[], local: KernelTable): Promise<TaskResult[]> {
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
