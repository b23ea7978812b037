/**
 * Argument parsing of the demo CLIs (`pnpm train`, `pnpm filter`): node:util parseArgs plus value
 * checks, so a bad invocation is one line naming the flag and the value (exit code 2) before any
 * work is done and before anything is written.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { PadMode } from '@convkit/core';
import { DEFAULT_RESNET, DEFAULT_TRAIN, MODEL_NAMES, type TrainOptions } from './train.js';
import { FILTER_NAMES } from './filters.js';

/** A bad invocation: the CLIs print `<cli>: <message>` on one line and exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Ends a CLI with one line on stderr, `<tool>: <first line of the message>`: exit 2 for a
 * UsageError (nothing was done), 1 for anything that failed while running.
 */
export function exitWithError(tool: string, e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  console.error(`${tool}: ${msg.split('\n')[0]}`);
  process.exit(e instanceof UsageError ? 2 : 1);
}

/** The gpu.js modes a `gpujs:<mode>` spec may name (the backend's GPUJS_MODES). */
export const GPUJS_MODE_NAMES = ['headlessgl', 'webgl2', 'webgl', 'webgpu', 'webasm'] as const;
/** Every backend spec the demos accept. */
export const BACKEND_SPECS: readonly string[] = ['js', 'workers', 'wasm', 'gpujs', ...GPUJS_MODE_NAMES.map((m) => `gpujs:${m}`), 'auto'];
export const PAD_MODES: readonly PadMode[] = ['zeros', 'replicate', 'circular', 'reflect'];

/** Levenshtein distance (insertions, deletions, substitutions; an adjacent swap counts 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** The valid name closest to `got` (ties: the first in `valid`). */
export function nearest(got: string, valid: readonly string[]): string {
  let best = valid[0]!;
  let bestD = Infinity;
  for (const v of valid) {
    const dist = editDistance(got.toLowerCase(), v);
    if (dist < bestD) {
      best = v;
      bestD = dist;
    }
  }
  return best;
}

/** `value` must be one of `valid`; otherwise a UsageError naming the nearest valid one. */
export function oneOf<T extends string>(flag: string, value: string, valid: readonly T[]): T {
  if ((valid as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} '${value}' is not one of ${valid.join(', ')}; did you mean '${nearest(value, valid)}'?`);
}

/** A backend spec the demos know (js, workers, wasm, gpujs, gpujs:<mode>, auto). */
export function checkBackend(spec: string): string {
  return oneOf('--backend', spec, BACKEND_SPECS);
}

interface NumRule {
  integer?: boolean;
  min?: number;
  /** the minimum itself is not allowed */
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
}

/** Parses a numeric flag value: finite, integer when asked, within [min, max]. */
export function numberArg(flag: string, raw: string, rule: NumRule = {}): number {
  const v = raw.trim() === '' ? NaN : Number(raw);
  const what = `${rule.integer ? 'an integer' : 'a number'}${rangeText(rule)}`;
  if (!Number.isFinite(v) || (rule.integer && !Number.isInteger(v))) throw new UsageError(`${flag} '${raw}' is not ${what}`);
  const low = rule.min !== undefined && (rule.minExclusive ? v <= rule.min : v < rule.min);
  const high = rule.max !== undefined && (rule.maxExclusive ? v >= rule.max : v > rule.max);
  if (low || high) throw new UsageError(`${flag} ${raw} is out of range: expected ${what}`);
  return v;
}

function rangeText(r: NumRule): string {
  const lo = r.min === undefined ? '' : `${r.minExclusive ? '>' : '>='} ${r.min}`;
  const hi = r.max === undefined ? '' : `${r.maxExclusive ? '<' : '<='} ${r.max}`;
  return lo && hi ? ` ${lo} and ${hi}` : lo || hi ? ` ${lo || hi}` : '';
}

/**
 * node:util parseArgs (strict) with its errors reworded to one line naming the flag. A literal
 * '--' first (what `pnpm run x -- args` passes) is dropped.
 */
function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: T, allowPositionals: boolean) {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    // "Option '-h, --help' does not take an argument", "Option '--epochs <value>' argument missing"
    const flag = /'(?:-\w, )?(--?[\w-]+)/.exec(err.message)?.[1] ?? '';
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
        const names = Object.keys(options).map((k) => `--${k}`);
        throw new UsageError(`unknown option ${flag}; did you mean '${nearest(flag, names)}'? (see --help)`);
      }
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        if (/argument missing/.test(err.message)) throw new UsageError(`${flag} needs a value`);
        if (/ambiguous/.test(err.message)) throw new UsageError(`${flag} needs a value; write one that starts with '-' as ${flag}=VALUE`);
        throw new UsageError(`${flag} takes no value`);
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(`unexpected argument '${/'([^']*)'/.exec(err.message)?.[1] ?? ''}' (this command takes only --flags; see --help)`);
      default:
        throw new UsageError(err.message.split('\n')[0]!);
    }
  }
}

// ---- pnpm train ----------------------------------------------------------------------------

export const TRAIN_USAGE =
  'usage: pnpm train [--model cnn|resnet] --backend <js|workers|wasm|gpujs|gpujs:headlessgl|gpujs:webgl2|gpujs:webgl|gpujs:webgpu|gpujs:webasm|auto> [--epochs n] [--batch n] [--lr x] ' +
  '[--momentum x] [--weight-decay x] [--seed n] [--max-steps n] [--schedule cosine|constant] [--channels 16,32] [--hidden 64] [--augment px] [--out file.html]\n' +
  '  --model cnn (default): the small CNN with SGD; --model resnet: the small ResNet with Adam (defaults epochs 10, lr 2e-3, weight decay 5e-4, ' +
  '--channels 16,32,64 = 2 or 3 residual stages, --augment 2 = random shifts of up to 2 px; --momentum and --hidden do not apply)';

const TRAIN_OPTIONS = {
  model: { type: 'string' },
  augment: { type: 'string' },
  backend: { type: 'string', default: 'js' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  momentum: { type: 'string' },
  'weight-decay': { type: 'string' },
  seed: { type: 'string' },
  'max-steps': { type: 'string' },
  schedule: { type: 'string' },
  channels: { type: 'string' },
  hidden: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type TrainConfig = Required<Omit<TrainOptions, 'maxSteps' | 'evalEachEpoch' | 'resnetChannels'>> & { maxSteps?: number; resnetChannels?: readonly number[] };

export interface TrainArgs {
  help: boolean;
  backend: string;
  cfg: TrainConfig;
  /** --out as given (resolved by the CLI against INIT_CWD), or undefined for the default path */
  out?: string;
}

/** Parses and checks `pnpm train` arguments; throws UsageError on anything it cannot honour. */
export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  const { values: v } = parseCli(argv, TRAIN_OPTIONS, false);
  const d = DEFAULT_TRAIN;
  if (v.help) return { help: true, backend: 'js', cfg: { ...d } };
  const int = (flag: string, raw: string | undefined, dflt: number, min: number) => (raw === undefined ? dflt : numberArg(flag, raw, { integer: true, min }));
  const model = v.model === undefined ? d.model : oneOf('--model', v.model, MODEL_NAMES);
  if (model === 'resnet') {
    for (const f of ['momentum', 'hidden'] as const) {
      if (v[f] !== undefined) throw new UsageError(`--${f} does not apply to --model resnet (Adam, no hidden dense layer)`);
    }
    let resnetChannels = DEFAULT_RESNET.resnetChannels;
    if (v.channels !== undefined) {
      const parts = v.channels.split(',');
      if (parts.length < 2 || parts.length > 3) throw new UsageError(`--channels '${v.channels}' must be 2 or 3 stage channel counts for --model resnet, e.g. 8,16,32`);
      resnetChannels = parts.map((p) => numberArg('--channels', p, { integer: true, min: 1 }));
    }
    const cfg: TrainConfig = {
      model,
      resnetChannels,
      augment: v.augment === undefined ? DEFAULT_RESNET.augment : numberArg('--augment', v.augment, { integer: true, min: 0, max: 27 }),
      // the cnn's fields, unused by the resnet
      momentum: d.momentum,
      channels: d.channels,
      hidden: d.hidden,
      epochs: int('--epochs', v.epochs, DEFAULT_RESNET.epochs, 1),
      batchSize: int('--batch', v.batch, d.batchSize, 1),
      lr: v.lr === undefined ? DEFAULT_RESNET.lr : numberArg('--lr', v.lr, { min: 0, minExclusive: true }),
      weightDecay: v['weight-decay'] === undefined ? DEFAULT_RESNET.weightDecay : numberArg('--weight-decay', v['weight-decay'], { min: 0 }),
      seed: v.seed === undefined ? d.seed : numberArg('--seed', v.seed, { integer: true, min: 0, max: 2 ** 32 - 1 }),
      schedule: v.schedule === undefined ? d.schedule : oneOf('--schedule', v.schedule, ['cosine', 'constant'] as const),
      ...(v['max-steps'] !== undefined ? { maxSteps: numberArg('--max-steps', v['max-steps'], { integer: true, min: 1 }) } : {}),
    };
    if (v.out !== undefined && v.out.trim() === '') throw new UsageError('--out needs a file name');
    return { help: false, backend: checkBackend(v.backend!), cfg, ...(v.out !== undefined ? { out: v.out } : {}) };
  }
  let channels: readonly [number, number] = d.channels;
  if (v.channels !== undefined) {
    const parts = v.channels.split(',');
    if (parts.length !== 2) throw new UsageError(`--channels '${v.channels}' must be two channel counts, e.g. 16,32`);
    channels = parts.map((p) => numberArg('--channels', p, { integer: true, min: 1 })) as [number, number];
  }
  const cfg: TrainConfig = {
    model,
    augment: v.augment === undefined ? d.augment : numberArg('--augment', v.augment, { integer: true, min: 0, max: 27 }),
    epochs: int('--epochs', v.epochs, d.epochs, 1),
    batchSize: int('--batch', v.batch, d.batchSize, 1),
    lr: v.lr === undefined ? d.lr : numberArg('--lr', v.lr, { min: 0, minExclusive: true }),
    momentum: v.momentum === undefined ? d.momentum : numberArg('--momentum', v.momentum, { min: 0, max: 1, maxExclusive: true }),
    weightDecay: v['weight-decay'] === undefined ? d.weightDecay : numberArg('--weight-decay', v['weight-decay'], { min: 0 }),
    seed: v.seed === undefined ? d.seed : numberArg('--seed', v.seed, { integer: true, min: 0, max: 2 ** 32 - 1 }),
    channels,
    hidden: int('--hidden', v.hidden, d.hidden, 0),
    schedule: v.schedule === undefined ? d.schedule : oneOf('--schedule', v.schedule, ['cosine', 'constant'] as const),
    ...(v['max-steps'] !== undefined ? { maxSteps: numberArg('--max-steps', v['max-steps'], { integer: true, min: 1 }) } : {}),
  };
  if (v.out !== undefined && v.out.trim() === '') throw new UsageError('--out needs a file name');
  return { help: false, backend: checkBackend(v.backend!), cfg, ...(v.out !== undefined ? { out: v.out } : {}) };
}

// ---- pnpm filter ---------------------------------------------------------------------------

export const FILTER_USAGE =
  `usage: pnpm filter --kernel <${FILTER_NAMES.join('|')}> --backend <js|workers|wasm|gpujs|gpujs:mode|auto> [--pad zeros|replicate|circular|reflect] [--scale n] in.(png|jpg) out.png\n` +
  '       pnpm filter --all --backend <name> [--pad mode] [--scale n] in.(png|jpg) outdir   (writes every filter and a README.md table)';

const FILTER_OPTIONS = {
  kernel: { type: 'string' },
  backend: { type: 'string', default: 'js' },
  pad: { type: 'string', default: 'zeros' },
  all: { type: 'boolean', default: false },
  scale: { type: 'string', default: '1' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface FilterArgs {
  help: boolean;
  /** undefined with --all */
  kernel?: string;
  all: boolean;
  backend: string;
  pad: PadMode;
  scale: number;
  input: string;
  output: string;
}

/** Parses and checks `pnpm filter` arguments (paths unresolved); throws UsageError. */
export function parseFilterArgs(argv: readonly string[]): FilterArgs {
  const { values: v, positionals } = parseCli(argv, FILTER_OPTIONS, true);
  if (v.help) return { help: true, all: false, backend: 'js', pad: 'zeros', scale: 1, input: '', output: '' };
  if (v.all && v.kernel !== undefined) throw new UsageError('give either --kernel NAME or --all, not both');
  if (!v.all && v.kernel === undefined) throw new UsageError(`--kernel NAME (one of ${FILTER_NAMES.join(', ')}) or --all is required`);
  const kernel = v.kernel === undefined ? undefined : oneOf('--kernel', v.kernel, FILTER_NAMES);
  if (positionals.length !== 2) {
    throw new UsageError(`expected 2 arguments (the input image and the output ${v.all ? 'directory' : 'png'}), got ${positionals.length}${positionals.length ? `: ${positionals.join(' ')}` : ''}`);
  }
  return {
    help: false,
    ...(kernel !== undefined ? { kernel } : {}),
    all: v.all!,
    backend: checkBackend(v.backend!),
    pad: oneOf('--pad', v.pad!, PAD_MODES),
    scale: numberArg('--scale', v.scale!, { integer: true, min: 1, max: 64 }),
    input: positionals[0]!,
    output: positionals[1]!,
  };
}
