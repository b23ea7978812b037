/**
 * Counts for the one-line CI summary. Test files (in vitest workers) append JSON lines to a file
 * in a directory the global setup provides; the global teardown (main process) prints the line.
 * Not part of the built package (it imports vitest).
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { SummaryRecord } from './summaryLine.js';

declare module 'vitest' {
  interface ProvidedContext {
    reliabilitySummaryDir: string;
  }
}

export type { SummaryRecord };

export function record(r: SummaryRecord): void {
  let dir: string | undefined;
  try {
    dir = inject('reliabilitySummaryDir');
  } catch {
    dir = undefined;
  }
  if (!dir) return;
  appendFileSync(join(dir, 'records.jsonl'), JSON.stringify(r) + '\n');
}
