import type { Context, Tensor } from '@convkit/core';

/**
 * The loss: row softmax of logits [n, classes] and the mean cross-entropy against int32 labels
 * [n]. `forward` keeps the probabilities and labels for `backward`, which returns
 * dL/dlogits = (probs - onehot(labels)) / n.
 */
export class SoftmaxCrossEntropy {
  readonly kind = 'SoftmaxCrossEntropy';
  #probs: Tensor | null = null;
  #labels: Tensor | null = null;

  /** Returns the loss tensor (shape [], caller owns it) and keeps probs for backward. */
  async forward(ctx: Context, logits: Tensor, labels: Tensor): Promise<{ loss: Tensor; probs: Tensor }> {
    const r = await ctx.softmaxCrossEntropy(logits, labels);
    this.clear();
    this.#probs = r.probs;
    this.#labels = labels;
    return r;
  }

  async backward(ctx: Context): Promise<Tensor> {
    if (!this.#probs || !this.#labels) throw new Error('SoftmaxCrossEntropy.backward: call forward first');
    try {
      return await ctx.softmaxCrossEntropyBackward(this.#probs, this.#labels);
    } finally {
      this.clear();
    }
  }

  /** Disposes the kept probabilities (the labels belong to the caller). */
  clear(): void {
    this.#probs?.dispose();
    this.#probs = null;
    this.#labels = null;
  }
}
