import type { Tensor } from '@convkit/core';

/**
 * A trainable parameter: its value, the gradient of the last backward pass and the SGD velocity
 * (created by the optimizer on first use). All three live on the model's context.
 */
export class Param {
  grad: Tensor | null = null;
  velocity: Tensor | null = null;

  constructor(
    /** e.g. 'conv1.weight' */
    public name: string,
    public value: Tensor,
    /** whether weight decay applies (true for weights, false for biases) */
    readonly decay: boolean,
  ) {}

  get shape(): readonly number[] {
    return this.value.shape;
  }

  /** Replaces the gradient, disposing the previous one. */
  setGrad(g: Tensor): void {
    this.grad?.dispose();
    this.grad = g;
  }

  clearGrad(): void {
    this.grad?.dispose();
    this.grad = null;
  }

  dispose(): void {
    this.value.dispose();
    this.clearGrad();
    this.velocity?.dispose();
    this.velocity = null;
  }
}
