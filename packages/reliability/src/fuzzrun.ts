import fc from 'fast-check';
import type { Context } from '@convkit/core';
import type { OpFuzz } from './cases.js';

export interface FuzzResult {
  failed: boolean;
  /** cases run (up to and including the first failure) */
  cases: number;
  /** fast-check's report (seed, path, shrunk counterexample), the mismatch and a replay line; '' when it passed */
  message: string;
  details: fc.RunDetails<[unknown]>;
}

/** Runs n cases of one op on ctx against the reference. Never throws for a mismatch: see `failed`. */
export async function fuzzOp(ctx: Context, o: OpFuzz, n: number, seed?: number): Promise<FuzzResult> {
  const details = await fc.check(
    fc.asyncProperty(o.arb, async (c) => {
      fc.pre(o.valid(c));
      await o.run(ctx, c, ctx.backend.precision);
    }),
    { numRuns: n, seed, maxSkipsPerRun: 1000 },
  );
  if (!details.failed) return { failed: false, cases: details.numRuns, message: '', details };
  const err = details.errorInstance;
  const message =
    `${o.op} (precision ${JSON.stringify(ctx.backend.precision)}):\n${fc.defaultReportMessage(details)}\n` +
    `Error of the shrunk case: ${err instanceof Error ? err.message : String(err)}\n` +
    `Replay: CONVKIT_FUZZ_SEED=${details.seed} (path ${details.counterexamplePath})`;
  return { failed: true, cases: details.numRuns, message, details };
}
