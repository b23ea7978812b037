import { BackendExecutionError, type DType } from '@convkit/core';
import type { Task, TaskResult, WorkerPool } from './pool.js';
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
  ) {}

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
    const spread = taskCount(work, this.pool.size, this.minTaskWork);
    if (spread < this.pool.size || perWorker <= 1) return spread;
    // more than one task per worker only when each is still big: every task costs a round trip
    // through both event loops (~0.1-0.3 ms), which small ops (workload B) cannot pay for
    // (minTaskWork 1, the tests' finest split, keeps splitting every op into perWorker tasks each)
    const splitWork = this.minTaskWork <= 1 ? 1 : this.minTaskWork * SPLIT_FACTOR;
    const per = Math.min(perWorker, Math.floor(work / (this.pool.size * splitWork)));
    return this.pool.size * Math.max(1, per);
  }

  /**
   * Runs the tasks; on any failure frees `outputs` (never returned half-computed) and throws a
   * BackendExecutionError.
   */
  async exec(op: string, tasks: Task[], outputs: Rec[]): Promise<TaskResult[]> {
    // the buffers in use are never recycled while the op runs (a tensor disposed meanwhile)
    const used = new Set<Rec>();
    for (const t of tasks) for (const r of Object.values(t.args)) if (r) used.add(r);
    for (const r of used) r.busy = (r.busy ?? 0) + 1;
    try {
      const res = await this.pool.run(op, tasks);
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
