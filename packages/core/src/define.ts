/**
 * A backend as a table of kernels (models: tfjs-backend-cpu's `KernelConfig`s with
 * `register_all_kernels.ts`, onnxruntime-web's `op-resolve-rules.ts`): the runtime owns the data
 * (write, read, dispose) and each kernel is a function of (runtime, ...the kernel's arguments). The
 * capabilities are the table's keys, so a backend cannot claim an op it has no kernel for.
 */
import type { BackendMemory, DataId, KernelBackend, KernelSignatures, MaybePromise, Precision } from './backend.js';
import type { DType } from './tensor.js';
import { OP_NAMES, isOpName, type OpName } from './ops.js';

/**
 * What every backend's per-op runtime provides: the data side of the interface. Kernels get the
 * runtime as their first argument (its storage, scratch, device, worker pool: whatever the
 * backend's kernels share).
 */
export interface BackendRuntime {
  write(values: Float32Array | Int32Array, dtype: DType): DataId;
  /** Allocates size elements set to zero. */
  zeros(size: number, dtype: DType): DataId;
  read(id: DataId): Promise<Float32Array | Int32Array>;
  readSync?(id: DataId): Float32Array | Int32Array;
  disposeData(id: DataId): void;
  memory(): BackendMemory;
  /** Frees everything the runtime holds (workers, devices, memory). */
  dispose(): MaybePromise<void>;
}

/** Kernel `K` of a backend whose runtime is `R`: the interface's signature with the runtime first. */
export type Kernel<R, K extends OpName> = (runtime: R, ...args: Parameters<KernelSignatures[K]>) => ReturnType<KernelSignatures[K]>;

/** A backend's kernels by op name; any subset of the ops. */
export type KernelTable<R> = { readonly [K in OpName]?: Kernel<R, K> };

export interface BackendDefinition<R extends BackendRuntime, T extends KernelTable<R>, X extends object> {
  /** Registry name, e.g. 'js'. */
  name: string;
  /**
   * The engine that really executes the kernels (never what was merely requested). A function is
   * read at every access, for an engine that running can change (workers whose first op finds a
   * worker without wasm SIMD report '+js' from then on).
   */
  engine: string | (() => string);
  precision: Precision;
  runtime: R;
  kernels: T;
  /**
   * Extra read-only members of the backend object (e.g. `adapter`, `threads`); getters stay
   * getters. They may not shadow the interface's members.
   */
  extend?: X;
}

/** The backend object defineBackend makes: the interface, with exactly the table's kernels, and `extend`'s members. */
export type DefinedBackend<T, X> = KernelBackend & Required<Pick<KernelSignatures, keyof T & OpName>> & Readonly<X>;

const RESERVED = new Set(['name', 'engine', 'capabilities', 'precision', 'write', 'zeros', 'read', 'readSync', 'disposeData', 'memory', 'dispose', ...OP_NAMES]);

/**
 * Builds a KernelBackend from a runtime and a kernel table. Throws a TypeError for a table key that
 * is no op (a typo such as `conv2D`) or a kernel that is not a function, and for `extend` keys that
 * would shadow the interface: at definition time, before any op runs.
 */
export function defineBackend<R extends BackendRuntime, T extends KernelTable<R>, X extends object = Record<never, never>>(
  def: BackendDefinition<R, T, X>,
): DefinedBackend<T, X> {
  const { name, engine, precision, runtime, kernels } = def;
  if (typeof name !== 'string' || name === '') throw new TypeError('defineBackend: name must be a non-empty string');
  const engineNow = typeof engine === 'function' ? engine : () => engine;
  if (typeof engineNow() !== 'string' || engineNow() === '') throw new TypeError(`defineBackend(${name}): engine must be a non-empty string`);
  const ops: OpName[] = [];
  for (const key of Object.keys(kernels)) {
    if (!isOpName(key)) throw new TypeError(`defineBackend(${name}): kernels.${key} is no op of the interface (ops: ${OP_NAMES.join(', ')})`);
    if (typeof (kernels as Record<string, unknown>)[key] !== 'function') throw new TypeError(`defineBackend(${name}): kernels.${key} is not a function`);
    ops.push(key);
  }
  const backend: Record<string, unknown> = {
    name,
    precision: Object.freeze({ ...precision }),
    capabilities: new Set<OpName>(ops) as ReadonlySet<OpName>,
    write: (values: Float32Array | Int32Array, dtype: DType) => runtime.write(values, dtype),
    zeros: (size: number, dtype: DType) => runtime.zeros(size, dtype),
    read: (id: DataId) => runtime.read(id),
    disposeData: (id: DataId) => runtime.disposeData(id),
    memory: () => runtime.memory(),
    dispose: () => runtime.dispose(),
  };
  Object.defineProperty(backend, 'engine', { get: engineNow, enumerable: true, configurable: false });
  if (runtime.readSync) backend.readSync = (id: DataId) => runtime.readSync!(id);
  for (const op of ops) {
    const k = kernels[op] as (runtime: R, ...args: unknown[]) => unknown;
    backend[op] = (...args: unknown[]) => k(runtime, ...args);
  }
  if (def.extend) {
    const descriptors = Object.getOwnPropertyDescriptors(def.extend);
    for (const key of Object.keys(descriptors)) {
      if (RESERVED.has(key)) throw new TypeError(`defineBackend(${name}): extend.${key} would shadow the backend interface`);
      const d = descriptors[key]!;
      if ('value' in d) d.writable = false;
    }
    Object.defineProperties(backend, descriptors);
  }
  return backend as DefinedBackend<T, X>;
}
