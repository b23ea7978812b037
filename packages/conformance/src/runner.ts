/**
 * Runner-agnostic case execution (browser-safe): runs one golden case on a @convkit/core Context,
 * compares every output against the expected arrays with the tolerance rule (tolerance.ts), and
 * checks that the backend was left with no live tensors or data ids.
 */
import { NotImplementedError, OPS, opRecord, type AnyOpName, type Context, type MaxPoolOptions, type OpName, type OpRecord, type SgdOptions, type Tensor } from '@convkit/core';
import { compare } from '@convkit/reference';
import { GoldenStore, type CaseData, type GoldenCase, type NumArray } from './format.js';
import { DEFAULT_TOLERANCE, toleranceFor, type Tolerance } from './tolerance.js';

export type CaseStatus = 'pass' | 'fail' | 'not-implemented' | 'skipped';

export interface CaseResult {
  op: string;
  case: string;
  title: string;
  status: CaseStatus;
  /** '' on pass; otherwise op, case, output, flat index, got and expected (fail) or the reason */
  message: string;
}

/** How a case is run, for the few ops whose golden cases do more than one call of the op's record. */
interface CaseIO {
  c: GoldenCase;
  ctx: Context;
  /** The case's params (the Context method's options). */
  p: Record<string, unknown>;
  /** The case's arrays, decoded. */
  d: CaseData;
  /** A new tensor from the case's input `name` (tracked). */
  T(name: string): Tensor;
  track: Track;
  check(name: string, t: Tensor, row?: number): Promise<void>;
}

interface CaseDriver {
  /**
   * Inputs a case may leave out, made from its other inputs instead (maxpool2dBackward's indices
   * from a maxpool2d of x); `kernels` are what making them needs besides the op's own.
   */
  derived?: Readonly<Record<string, { readonly kernels: readonly OpName[]; make(io: CaseIO): Promise<Tensor> }>>;
  /** Runs the case itself, for a protocol the record does not describe (sgd's steps). */
  run?(io: CaseIO): Promise<void>;
}

/** The params of `p` that op `op` takes as attributes. */
function attributesOf(op: AnyOpName, p: Record<string, unknown>): Record<string, unknown> {
  const keep = new Set(OPS[op]!.attributes);
  return Object.fromEntries(Object.entries(p).filter(([k]) => keep.has(k)));
}

/**
 * The ops whose cases need more than the generic call. Every other op of core's records (OPS) runs
 * generically from its record, so a new op needs no entry here.
 */
const DRIVERS: { readonly [K in AnyOpName]?: CaseDriver } = {
  maxpool2dBackward: {
    derived: {
      indices: {
        kernels: ['maxpool2d'],
        async make({ ctx, p, T, track }) {
          const r = await ctx.maxpool2d(T('x'), attributesOf('maxpool2d', p) as unknown as MaxPoolOptions);
          track(r.y);
          return track(r.indices);
        },
      },
    },
  },
  sgd: {
    // params.steps updates, g holds one gradient per step ([steps, ...w.shape]), v starts at zero;
    // expected w (and v) hold the state after every step.
    async run({ c, ctx, p, d, T, track, check }) {
      const steps = p.steps as number;
      const wShape = c.inputs.w!.shape;
      const n = wShape.reduce((a, b) => a * b, 1);
      const w = T('w');
      const v = track(ctx.zeros(wShape));
      const gAll = d.inputs.g as Float32Array;
      for (let t = 0; t < steps; t++) {
        const g = track(ctx.tensor(gAll.slice(t * n, (t + 1) * n), wShape));
        await ctx.sgd(w, g, v, attributesOf('sgd', p) as unknown as SgdOptions);
        await check('w', w, t);
        if ('v' in c.expected) await check('v', v, t);
      }
    },
  },
};

// Compile-time: every op of core's records is a Context method (the generic call below relies on it).
type ContextOps = { [K in AnyOpName]: Context[K] };
void (null as unknown as ContextOps);

function recordOf(c: GoldenCase): OpRecord {
  const rec = opRecord(c.op);
  if (!rec) throw new Error(`unknown case op '${c.op}' (golden set newer than this runner?)`);
  return rec;
}

/**
 * Kernel capabilities each case op needs, from core's op records: the record's kernels (a
 * composite op runs on the kernels it is built from), plus those that make the inputs the case
 * leaves out.
 */
export function capabilitiesFor(c: GoldenCase): OpName[] {
  const rec = opRecord(c.op);
  if (!rec) return [c.op as OpName];
  const needs: OpName[] = [];
  const derived = DRIVERS[c.op as AnyOpName]?.derived ?? {};
  for (const [input, d] of Object.entries(derived)) if (!(input in c.inputs)) needs.push(...d.kernels);
  needs.push(...(rec.kernels as readonly OpName[]));
  return [...new Set(needs)];
}

type Outputs = Record<string, Tensor | null | undefined>;
type Track = (t: Tensor) => Tensor;

/**
 * Runs the op of case c: the Context method named by the op, its positional tensor arguments in
 * the record's order, then (when the op has attributes or option-carried inputs) one options
 * object of the case's params and those inputs. Every tensor made goes through track() so it is
 * disposed afterwards.
 */
async function execute(c: GoldenCase, ctx: Context, d: CaseData, track: Track, check: (name: string, t: Tensor, row?: number) => Promise<void>): Promise<void> {
  const rec = recordOf(c);
  const op = rec.name as AnyOpName;
  const driver = DRIVERS[op];
  const p = c.params as Record<string, unknown>;
  const T = (k: string): Tensor => {
    const ref = c.inputs[k];
    if (!ref) throw new Error(`case has no input '${k}'`);
    return track(ctx.tensor(d.inputs[k] as Float32Array | Int32Array, ref.shape));
  };
  const io: CaseIO = { c, ctx, p, d, T, track, check };
  if (driver?.run) return driver.run(io);
  const input = async (k: string, optional: boolean): Promise<Tensor | null> => {
    if (k in d.inputs) return T(k);
    const derive = driver?.derived?.[k];
    if (derive) return derive.make(io);
    if (optional) return null;
    throw new Error(`case has no input '${k}'`);
  };
  const args: unknown[] = [];
  const options: Record<string, unknown> = { ...p };
  const carried: Record<string, Tensor | null> = {};
  for (const spec of rec.inputs) {
    const t = await input(spec.name, spec.optional === true);
    if (spec.option) options[spec.option] = t;
    else args.push(t);
    carried[spec.name] = t;
  }
  if (rec.attributes.length > 0 || rec.inputs.some((spec) => spec.option)) args.push(options);
  const method = (ctx as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[op]!;
  const r = await method.apply(ctx, args);
  // One output: the tensor itself; several: an object with the record's keys; in place: the updated inputs.
  let outputs: Outputs;
  if (rec.outputs.length === 0) outputs = Object.fromEntries(rec.inputs.filter((s) => s.inPlace).map((s) => [s.name, carried[s.name]]));
  else if (rec.outputs.length === 1) outputs = { [rec.outputs[0]!]: r as Tensor };
  else outputs = r as Outputs;
  if (rec.outputs.length > 0) for (const t of Object.values(outputs)) if (t) track(t);
  for (const name of Object.keys(c.expected)) {
    const t = outputs[name];
    if (!t) throw new Error(`the op returned no '${name}' output`);
    await check(name, t);
  }
}

let storeProvider: (() => GoldenStore) | null = null;

/** Sets the store runCase uses when none is passed (the Node entry sets one reading the package's golden/). */
export function setDefaultStore(p: GoldenStore | (() => GoldenStore) | null): void {
  storeProvider = p === null ? null : typeof p === 'function' ? p : () => p;
}

function defaultStore(): GoldenStore {
  if (!storeProvider) throw new Error('runCase: no golden store; pass one (GoldenStore.open(readFile)) or call setDefaultStore()');
  return storeProvider();
}

/**
 * Runs one case on ctx. `store` supplies the arrays (Node: nodeStore(); browser: GoldenStore.open(fetcher)).
 * `tolerance` is the base of the tolerance rule (default atol = rtol = 1e-4).
 */
export async function runCase(c: GoldenCase, ctx: Context, tolerance: Tolerance = DEFAULT_TOLERANCE, store?: GoldenStore): Promise<CaseResult> {
  const st = store ?? defaultStore();
  const base = { op: c.op, case: c.id, title: c.title };
  const missingCaps = capabilitiesFor(c).filter((op) => !ctx.supports(op));
  if (missingCaps.length) {
    return { ...base, status: 'not-implemented', message: `backend '${ctx.backendName}' does not implement ${missingCaps.join(', ')}` };
  }
  const data = await st.load(c);
  if ('missing' in data) return { ...base, status: 'skipped', message: `skipped: ${data.missing}` };

  const before = ctx.memory();
  const made: Tensor[] = [];
  const track: Track = (t) => {
    made.push(t);
    return t;
  };
  const failures: string[] = [];
  const check = async (name: string, t: Tensor, row?: number) => {
    const ref = c.expected[name]!;
    let exp: NumArray = data.expected[name]!;
    let expShape = ref.shape;
    if (row !== undefined) {
      expShape = ref.shape.slice(1);
      const n = expShape.reduce((a, b) => a * b, 1);
      exp = exp.subarray(row * n, (row + 1) * n) as NumArray;
    }
    const where = `${c.op} ${c.id}: output '${name}'${row !== undefined ? ` after step ${row + 1}` : ''}`;
    if (t.shape.length !== expShape.length || t.shape.some((v, i) => v !== expShape[i])) {
      failures.push(`${where}: shape [${t.shape.join(', ')}], expected [${expShape.join(', ')}]`);
      return;
    }
    const got = await t.read();
    if (ref.exact && !(got instanceof Int32Array)) {
      failures.push(`${where}: dtype ${t.dtype}, expected int32`);
      return;
    }
    const tol = toleranceFor(tolerance, ref);
    const r = compare(got, exp, tol);
    if (!r.ok) {
      const w = r.worst;
      failures.push(
        `${where}: ${r.mismatches} of ${exp.length} values off; worst at flat index ${w?.index}: got ${w?.got}, expected ${w?.expected}` +
          (ref.exact ? ' (indices must match exactly)' : ` (|err| ${w?.err.toExponential(3)} > atol ${tol.atol} + rtol ${tol.rtol} * |expected|)`),
      );
    }
  };
  try {
    await execute(c, ctx, data, track, check);
  } catch (e) {
    for (const t of made) if (!t.isDisposed) t.dispose();
    if (e instanceof NotImplementedError) return { ...base, status: 'not-implemented', message: e.message };
    failures.push(`${c.op} ${c.id}: threw ${(e as Error)?.name ?? 'error'}: ${(e as Error)?.message ?? String(e)}`);
    return { ...base, status: 'fail', message: failures.join('\n') };
  }
  for (const t of made) if (!t.isDisposed) t.dispose();
  const after = ctx.memory();
  if (after.tensors !== before.tensors || after.dataIds !== before.dataIds || after.backend.dataIds !== before.backend.dataIds) {
    failures.push(
      `${c.op} ${c.id}: leaked memory: live tensors ${before.tensors} -> ${after.tensors}, context data ids ${before.dataIds} -> ${after.dataIds}, backend data ids ${before.backend.dataIds} -> ${after.backend.dataIds}`,
    );
  }
  return failures.length ? { ...base, status: 'fail', message: failures.join('\n') } : { ...base, status: 'pass', message: '' };
}

export interface Summary {
  op: string;
  pass: number;
  fail: number;
  notImplemented: number;
  skipped: number;
}

/** Counts per op, in first-seen order. */
export function summarize(results: readonly CaseResult[]): Summary[] {
  const m = new Map<string, Summary>();
  for (const r of results) {
    const s = m.get(r.op) ?? { op: r.op, pass: 0, fail: 0, notImplemented: 0, skipped: 0 };
    if (r.status === 'pass') s.pass++;
    else if (r.status === 'fail') s.fail++;
    else if (r.status === 'not-implemented') s.notImplemented++;
    else s.skipped++;
    m.set(r.op, s);
  }
  return [...m.values()];
}

/** A plain-text table: op | pass | fail | not implemented | skipped, plus a total row. */
export function formatTable(results: readonly CaseResult[]): string {
  const rows = summarize(results);
  const total = rows.reduce((t, r) => ({ op: 'TOTAL', pass: t.pass + r.pass, fail: t.fail + r.fail, notImplemented: t.notImplemented + r.notImplemented, skipped: t.skipped + r.skipped }), {
    op: 'TOTAL',
    pass: 0,
    fail: 0,
    notImplemented: 0,
    skipped: 0,
  });
  const head = ['op', 'pass', 'fail', 'not implemented', 'skipped'];
  const body = [...rows, total].map((r) => [r.op, String(r.pass), String(r.fail), String(r.notImplemented), String(r.skipped)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.slice(0, -1).map(line), widths.map((w) => '-'.repeat(w)).join('  '), line(body[body.length - 1]!)].join('\n');
}

/** Runs many cases in order (one context). */
export async function runCases(cases: readonly GoldenCase[], ctx: Context, tolerance?: Tolerance, store?: GoldenStore): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) out.push(await runCase(c, ctx, tolerance, store));
  return out;
}

export { GoldenStore };
