import { ConvkitError, DisposedTensorError, ValidationError } from './errors.js';
import type { KernelBackend, DataId } from './backend.js';

export type DType = 'float32' | 'int32';
export type TypedArrayFor<D extends DType> = D extends 'int32' ? Int32Array : Float32Array;

/** Maximum element count of one tensor: indices are int32 and kernels index with 32-bit ints. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Shared bookkeeping of the tensors that refer to one backend data id (reshape shares data). */
export interface TensorTracker {
  retain(dataId: DataId): void;
  release(dataId: DataId): void;
  onCreate(t: Tensor): void;
  onDispose(t: Tensor): void;
}

let nextTensorId = 1;

/**
 * A dense row-major tensor whose storage lives in one backend. float32 for data, int32 for
 * indices. Create tensors through a Context (`ctx.tensor`, `ctx.zeros`) or as op outputs.
 */
export class Tensor<D extends DType = DType> {
  readonly id = nextTensorId++;
  readonly shape: readonly number[];
  readonly size: number;
  #disposed = false;

  /** @internal use Context.tensor() */
  constructor(
    readonly backend: KernelBackend,
    readonly dataId: DataId,
    shape: readonly number[],
    readonly dtype: D,
    private readonly tracker: TensorTracker,
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    tracker.retain(dataId);
    tracker.onCreate(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** @internal throws DisposedTensorError naming the op and argument. */
  assertLive(op: string, arg: string): void {
    if (this.#disposed) {
      throw new DisposedTensorError(op, arg, 'a live tensor', `tensor #${this.id} after dispose()`, {
        [arg]: this.shape,
      });
    }
  }

  /** Copy of the values; waits for pending work on the backend. */
  async read(): Promise<TypedArrayFor<D>> {
    this.assertLive('read', 'tensor');
    const out = await this.backend.read(this.dataId);
    return out as TypedArrayFor<D>;
  }

  /** Synchronous copy of the values, where the backend can read synchronously. */
  readSync(): TypedArrayFor<D> {
    this.assertLive('readSync', 'tensor');
    if (!this.backend.readSync) {
      throw new ConvkitError(
        `readSync: backend '${this.backend.name}' cannot read synchronously; use await tensor.read()`,
      );
    }
    return this.backend.readSync(this.dataId) as TypedArrayFor<D>;
  }

  /** A tensor of another shape with the same number of elements, sharing this one's storage. */
  reshape(shape: readonly number[]): Tensor<D> {
    this.assertLive('reshape', 'tensor');
    const n = sizeOf(shape);
    if (n !== this.size || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ValidationError('reshape', 'shape', `a shape with ${this.size} elements`, `[${shape.join(', ')}]`, {
        tensor: this.shape,
      });
    }
    return new Tensor(this.backend, this.dataId, shape, this.dtype, this.tracker);
  }

  /** Frees the storage once no other tensor shares it. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.tracker.onDispose(this);
    this.tracker.release(this.dataId);
  }

  toString(): string {
    return `Tensor#${this.id}(${this.dtype}, [${this.shape.join(', ')}], ${this.backend.name})`;
  }
}
