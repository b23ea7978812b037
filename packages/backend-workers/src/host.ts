import { BackendExecutionError, type DType } from '@convkit/core';
import type { Task, TaskResult, WorkerPool } from './pool.js';
import type { Rec, Storage } from './storage.js';
import { taskCount } from './partition.js';

/** Tasks per worker for big ops: enough to balance a loaded machine, few enough to stay cheap. */
export const TASKS_PER_WORKER = 4;

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

  alloc(size: number, dtype: DType = 'float32'): Rec {
    return this.storage.alloc(size, dtype);
  }

  /**
   * Number of tasks for an op of this much work: up to `perWorker` tasks per worker (workers pull
   * tasks as they finish, so a worker slowed by other load takes fewer), none below minTaskWork.
   */
  parts(work: number, perWorker = this.tasksPerWorker): number {
    return taskCount(work, this.pool.size * perWorker, this.minTaskWork);
  }

  /**
   * Runs the tasks; on any failure frees `outputs` (never returned half-computed) and throws a
   * BackendExecutionError.
   */
  async exec(op: string, tasks: Task[], outputs: Rec[]): Promise<TaskResult[]> {
    try {
      return await this.pool.run(op, tasks);
    } catch (e) {
      for (const o of outputs) this.storage.free(o);
      if (e instanceof BackendExecutionError) throw e;
      throw new BackendExecutionError(op, this.name, e instanceof Error ? e.message : String(e), { cause: e });
    }
  }
}
