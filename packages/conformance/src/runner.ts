/**
 * Runner-agnostic case execution (browser-safe): runs one golden case on a @convkit/core Context,
 * compares every output against the expected arrays with the tolerance rule (tolerance.ts), and
 * checks that the backend was left with no live tensors or data ids.
 */
import { NotImplementedError, type Context, type OpName, type Tensor } from '@convkit/core';
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

/** Kernel capabilities each case op needs (composite ops run on the kernels they are built from). */
export function capabilitiesFor(c: GoldenCase): OpName[] {
  switch (c.op) {
    case 'conv1d':
      return ['conv2d'];
    case 'conv1dBackward':
      return ['conv2dBackward'];
    case 'dense':
    case 'denseBackward':
      return ['gemm'];
    case 'maxpool2dBackward':
      return 'indices' in c.inputs ? ['maxpool2dBackward'] : ['maxpool2d', 'maxpool2dBackward'];
    default:
      return [c.op as OpName];
  }
}

type Outputs = Record<string, Tensor | undefined>;
type Track = (t: Tensor) => Tensor;

/** Runs the op of case c. Every tensor made goes through track() so it is disposed afterwards. */
async function execute(c: GoldenCase, ctx: Context, d: CaseData, track: Track, check: (name: string, t: Tensor, row?: number) => Promise<void>): Promise<void> {
  const p = c.params as Record<string, any>;
  const shapeOf = (k: string) => c.inputs[k]!.shape;
  const T = (k: string): Tensor => track(ctx.tensor(d.inputs[k] as Float32Array | Int32Array, shapeOf(k)));
  const opt = (k: string): Tensor | null => (k in d.inputs ? T(k) : null);
  const checkAll = async (o: Outputs) => {
    for (const name of Object.keys(c.expected)) {
      const t = o[name];
      if (!t) throw new Error(`the op returned no '${name}' output`);
      await check(name, t);
    }
  };
  const keep = (o: Outputs): Outputs => {
    for (const t of Object.values(o)) if (t) track(t);
    return o;
  };
  switch (c.op) {
    case 'conv2d':
      return checkAll(keep({ y: await ctx.conv2d(T('x'), T('w'), { ...p, bias: opt('bias') }) }));
    case 'conv2dBackward':
      return checkAll(keep(await ctx.conv2dBackward(T('x'), T('w'), T('dy'), p)));
    case 'conv1d':
      return checkAll(keep({ y: await ctx.conv1d(T('x'), T('w'), { ...p, bias: opt('bias') }) }));
    case 'conv1dBackward':
      return checkAll(keep(await ctx.conv1dBackward(T('x'), T('w'), T('dy'), p)));
    case 'im2col':
      return checkAll(keep({ y: await ctx.im2col(T('x'), p as any) }));
    case 'col2im':
      return checkAll(keep({ y: await ctx.col2im(T('cols'), p as any) }));
    case 'maxpool2d': {
      const r = await ctx.maxpool2d(T('x'), p as any);
      return checkAll(keep({ y: r.y, indices: r.indices }));
    }
    case 'maxpool2dBackward': {
      let indices: Tensor;
      if ('indices' in d.inputs) indices = T('indices');
      else {
        const { inputShape: _s, ...fw } = p;
        void _s;
        const r = await ctx.maxpool2d(T('x'), fw as any);
        track(r.y);
        indices = track(r.indices);
      }
      return checkAll(keep({ dx: await ctx.maxpool2dBackward(T('dy'), indices, p as any) }));
    }
    case 'gemm':
      return checkAll(keep({ y: await ctx.gemm(T('a'), T('b'), { ...p, c: opt('c'), bias: opt('bias') }) }));
    case 'dense':
      return checkAll(keep({ y: await ctx.dense(T('x'), T('w'), opt('b')) }));
    case 'denseBackward':
      return checkAll(keep(await ctx.denseBackward(T('x'), T('w'), T('dy'))));
    case 'relu':
      return checkAll(keep({ y: await ctx.relu(T('x')) }));
    case 'reluBackward':
      return checkAll(keep({ dx: await ctx.reluBackward(T('x'), T('dy')) }));
    case 'softmaxCrossEntropy': {
      const r = await ctx.softmaxCrossEntropy(T('logits'), T('labels'));
      return checkAll(keep({ loss: r.loss, probs: r.probs }));
    }
    case 'softmaxCrossEntropyBackward':
      return checkAll(keep({ dx: await ctx.softmaxCrossEntropyBackward(T('probs'), T('labels')) }));
    case 'sgd': {
      const steps = p.steps as number;
      const wShape = shapeOf('w');
      const n = wShape.reduce((a, b) => a * b, 1);
      const w = T('w');
      const v = track(ctx.zeros(wShape));
      const gAll = d.inputs.g as Float32Array;
      for (let t = 0; t < steps; t++) {
        const g = track(ctx.tensor(gAll.slice(t * n, (t + 1) * n), wShape));
        await ctx.sgd(w, g, v, { lr: p.lr, momentum: p.momentum, weightDecay: p.weightDecay });
        await check('w', w, t);
        if ('v' in c.expected) await check('v', v, t);
      }
      return;
    }
    default:
      throw new Error(`unknown case op '${c.op}' (golden set newer than this runner?)`);
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
