/**
 * Provides the summary directory to the test files, and after the run prints the one line CI
 * greps for, e.g.
 *   reliability: fuzz js 10000 cases 0 mismatches, ... ; bad input ...; leak js 2000 steps flat, ...; faults 3/3
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { summarize, type SummaryRecord } from './summaryLine.js';

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-reliability-'));
  project.provide('reliabilitySummaryDir', dir);
  return () => {
    const file = join(dir, 'records.jsonl');
    const recs: SummaryRecord[] = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as SummaryRecord)
      : [];
    process.stdout.write(`\n${summarize(recs)}\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}
