import type { Context, Tensor } from '@convkit/core';
import type { Param } from './param.js';
import type { Rng } from './init.js';

/**
 * One layer of a Sequential model. Tensor ownership:
 * - `forward` never disposes its input; with `training` it may keep a reference to it (and its
 *   own tensors, e.g. pooling indices) until `backward` or `clear`.
 * - `backward(dy)` never disposes dy; it sets the gradients of its params (replacing older ones),
 *   releases its cache and returns a new dx (or null when `needDx` is false).
 */
export interface Layer {
  readonly kind: string;
  /** Creates parameters on ctx (called once, in model order, with the model's seeded rng). */
  init(ctx: Context, rng: Rng, name: string): void;
  /** Per-sample output shape for a per-sample input shape (no batch axis). */
  outputShape(inShape: readonly number[]): number[];
  params(): Param[];
  forward(ctx: Context, x: Tensor, training: boolean): Promise<Tensor>;
  backward(ctx: Context, dy: Tensor, needDx: boolean): Promise<Tensor | null>;
  /**
   * Train (true) or eval (false) mode, set by Sequential.train()/eval(): layers that behave
   * differently (BatchNorm2d: batch vs running statistics) implement it; the others need not.
   */
  setTraining?(training: boolean): void;
  /** Drops whatever forward cached (disposing tensors this layer owns). */
  clear(): void;
  dispose(): void;
}
