import { BackendExecutionError, type DType } from '@convkit/core';
import type { Task, TaskResult, WorkerPool } from './pool.js';
import type { Rec, Storage } from './storage.js';
import { taskCount } from './partition.js';

/** What each op file needs from the backend: storage, the pool and the split policy. */
export class Host {
  constructor(
    readonly name: string,
    readonly storage: Storage,
    readonly pool: WorkerPool,
    readonly minTaskWork: number,
  ) {}

  get(id: unknown): Rec {
    return this.storage.get(id);
  }

  alloc(size: number, dtype: DType = 'float32'): Rec {
    return this.storage.alloc(size, dtype);
  }

  /** Number of tasks for an op of this much work. */
  parts(work: number): number {
    return taskCount(work, this.pool.size, this.minTaskWork);
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
