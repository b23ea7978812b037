/**
 * Runs one ONNX node on onnxruntime-node's CPU execution provider. onnxruntime-node is loaded
 * on first use (dynamic import), so the encoder works without it.
 */
import { singleOpModel, type AttrValue, type ElemType, type ModelOptions, type ValueInfo } from './encoder.js';

export type Ort = typeof import('onnxruntime-node');

/** An input of runOnnxOp: values (converted to the element type) and shape. */
export interface OpInput {
  data: ArrayLike<number>;
  shape: readonly number[];
  /** default 'float32' */
  type?: ElemType;
}

/** An output of runOnnxOp: the values as float64 (int64 outputs converted with Number) and shape. */
export interface OpOutput {
  data: Float64Array;
  shape: number[];
  type: string;
}

export interface RunOptions extends ModelOptions {
  /** intra-op threads; default 1 (deterministic summation order) */
  threads?: number;
  /** onnxruntime log level (0 verbose .. 4 fatal); default 3 (errors only) */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

let cached: Promise<{ ort: Ort } | { error: string }> | null = null;

/** onnxruntime-node, or why it cannot be loaded here (cached). */
export function loadOrt(): Promise<{ ort: Ort } | { error: string }> {
  cached ??= import('onnxruntime-node').then(
    (mod) => {
      const m = mod as Ort & { default?: Ort };
      return { ort: (m.InferenceSession ? m : m.default) as Ort };
    },
    (e: unknown) => ({ error: `cannot load onnxruntime-node: ${String((e as Error)?.message ?? e).split('\n')[0]}` }),
  );
  return cached;
}

function tensor(ort: Ort, v: OpInput): InstanceType<Ort['Tensor']> {
  const type = v.type ?? 'float32';
  const shape = [...v.shape];
  if (type === 'float32') return new ort.Tensor('float32', Float32Array.from(v.data), shape);
  if (type === 'float64') return new ort.Tensor('float64', Float64Array.from(v.data), shape);
  return new ort.Tensor('int64', BigInt64Array.from(Array.from(v.data, (x) => BigInt(x))), shape);
}

/**
 * Builds `opType(inputs) -> outputs` (inputs in the order given; an output is a name, or a
 * ValueInfo to fix its type, e.g. MaxPool's int64 Indices), runs it once and returns every output.
 * Throws when onnxruntime-node cannot be loaded or rejects the model.
 */
export async function runOnnxOp(
  opType: string,
  inputs: Record<string, OpInput>,
  outputs: (string | ValueInfo)[],
  attrs: Record<string, AttrValue> = {},
  opts: RunOptions = {},
): Promise<Record<string, OpOutput>> {
  const loaded = await loadOrt();
  if ('error' in loaded) throw new Error(loaded.error);
  const { ort } = loaded;
  const inInfo: ValueInfo[] = Object.entries(inputs).map(([name, v]) => ({ name, shape: [...v.shape], type: v.type ?? 'float32' }));
  const outInfo: ValueInfo[] = outputs.map((o) => (typeof o === 'string' ? { name: o } : o));
  const model = singleOpModel(opType, inInfo, outInfo, attrs, opts);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    // warnings (e.g. onnx shape inference disagreeing with the kernel's ceil-mode output size) stay quiet
    logSeverityLevel: opts.logSeverityLevel ?? 3,
  });
  try {
    const feeds = Object.fromEntries(Object.entries(inputs).map(([name, v]) => [name, tensor(ort, v)]));
    const r = await session.run(feeds);
    const out: Record<string, OpOutput> = {};
    for (const o of outInfo) {
      const t = r[o.name];
      if (!t) throw new Error(`onnxruntime returned no output ${o.name}`);
      const d = t.data as ArrayLike<number | bigint>;
      out[o.name] = { data: Float64Array.from(Array.from(d, (v) => Number(v))), shape: [...t.dims], type: t.type };
      t.dispose?.();
    }
    return out;
  } finally {
    await session.release();
  }
}
