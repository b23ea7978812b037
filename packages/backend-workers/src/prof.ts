/**
 * Worker-side diagnostics for `pool.profile` (scripts/profile.mjs): while a task that asked for it
 * runs, `mark()` appends absolute timestamps (ms, performance.timeOrigin + now()) that the worker
 * returns with the task's answer. A no-op otherwise.
 */
export const prof = {
  marks: null as number[] | null,
  now: (): number => performance.timeOrigin + performance.now(),
  mark(): void {
    if (this.marks) this.marks.push(this.now());
  },
};
