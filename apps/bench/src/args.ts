/** The bench CLI's arguments (node:util parseArgs): numbers and regexes checked, one-line errors. */
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface Args {
  quick: boolean;
  reps: number;
  warmup: number;
  warmupMs: number;
  minTimeMs: number;
  samples: number;
  only?: RegExp;
  impl?: RegExp;
  peers: boolean;
  browser: boolean;
  out: string;
  json?: string;
  rowBudget: number;
  /** whole-comparison repeats, interleaved (repeat.ts) */
  repeat: number;
  /** the row ratios are also given against (`vs baseline`) */
  baseline: string;
  help: boolean;
}

/** A bad command line: the CLI prints the message on one line and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE =
  'usage: pnpm bench [--quick] [--reps N>=7] [--warmup N] [--warmup-ms MS] [--min-time-ms MS] [--samples N] [--only REGEX] [--impl REGEX] [--row-budget S] [--repeat N] [--baseline ID] [--no-peers] [--no-browser] [--out DIR] [--json FILE]';

const OPTIONS = {
  quick: { type: 'boolean' },
  reps: { type: 'string' },
  warmup: { type: 'string' },
  'warmup-ms': { type: 'string' },
  'min-time-ms': { type: 'string' },
  samples: { type: 'string' },
  only: { type: 'string' },
  impl: { type: 'string' },
  'row-budget': { type: 'string' },
  repeat: { type: 'string' },
  baseline: { type: 'string' },
  'no-peers': { type: 'boolean' },
  'no-browser': { type: 'boolean' },
  out: { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A finite number (an integer where `int`) >= min, else a UsageError naming the flag and the value. */
function num(flag: string, v: string | undefined, def: number, o: { int?: boolean; min: number }): number {
  if (v === undefined) return def;
  const x = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(x)) throw new UsageError(`--${flag}: '${v}' is not a number`);
  if (o.int && !Number.isInteger(x)) throw new UsageError(`--${flag}: '${v}' is not a whole number`);
  if (x < o.min) throw new UsageError(`--${flag}: ${v} is below the minimum ${o.min}`);
  return x;
}

function regex(flag: string, v: string | undefined): RegExp | undefined {
  if (v === undefined) return undefined;
  try {
    return new RegExp(v);
  } catch (e) {
    throw new UsageError(`--${flag}: '${v}' is not a valid regular expression (${(e as Error).message.replace(/^Invalid regular expression: /, '')})`);
  }
}

/** Parses the command line (a lone `--`, as pnpm passes it, is ignored). */
export function parseBenchArgs(argv: string[], defaultOut: string): Args {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv.filter((x) => x !== '--'), options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!);
  }
  const s = (k: keyof typeof OPTIONS) => values[k] as string | undefined;
  const quick = !!values.quick;
  const a: Args = {
    quick,
    reps: num('reps', s('reps'), 7, { int: true, min: quick ? 1 : 7 }),
    warmup: num('warmup', s('warmup'), 1, { int: true, min: 0 }),
    warmupMs: num('warmup-ms', s('warmup-ms'), 1000, { min: 0 }),
    minTimeMs: num('min-time-ms', s('min-time-ms'), 2000, { min: 0 }),
    samples: num('samples', s('samples'), 256, { int: true, min: 1 }),
    rowBudget: num('row-budget', s('row-budget'), 30, { min: 0 }),
    repeat: num('repeat', s('repeat'), 1, { int: true, min: 1 }),
    only: regex('only', s('only')),
    impl: regex('impl', s('impl')),
    baseline: s('baseline') ?? 'tfjs:wasm-threads',
    peers: !values['no-peers'],
    browser: !values['no-browser'],
    out: path.resolve(s('out') ?? defaultOut),
    json: s('json') !== undefined ? path.resolve(s('json')!) : undefined,
    help: !!values.help,
  };
  if (s('out') === '') throw new UsageError("--out: '' is not a directory");
  return a;
}

/** The filters of a run, or undefined for an unfiltered (full comparison) run. */
export function filterOf(a: Pick<Args, 'only' | 'impl'>): { only?: string; impl?: string } | undefined {
  if (!a.only && !a.impl) return undefined;
  return { ...(a.only ? { only: a.only.source } : {}), ...(a.impl ? { impl: a.impl.source } : {}) };
}
