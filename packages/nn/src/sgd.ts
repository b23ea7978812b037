import type { Context } from '@convkit/core';
import type { Param } from './param.js';
import type { Optimizer } from './optimizer.js';

export interface SgdOptimizerOptions {
  lr: number;
  /** default 0 */
  momentum?: number;
  /** L2 weight decay on weights; never applied to biases (Param.decay = false). Default 0. */
  weightDecay?: number;
}

/**
 * SGD with momentum and per-parameter weight decay, one `ctx.sgd` per parameter (CONVENTIONS.md:
 * v = m*v + g + lambda*w; w = w - lr*v; PyTorch SGD with dampening 0). Velocities are created
 * (zero) on first use and live with the Param; gradients are disposed after the step.
 */
export class SGD implements Optimizer {
  lr: number;
  momentum: number;
  weightDecay: number;

  constructor(
    readonly ctx: Context,
    readonly params: readonly Param[],
    o: SgdOptimizerOptions,
  ) {
    this.lr = o.lr;
    this.momentum = o.momentum ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
  }

  async step(): Promise<void> {
    for (const p of this.params) {
      if (!p.grad) throw new Error(`SGD.step: ${p.name} has no gradient (run backward first)`);
      if (!p.velocity) p.velocity = this.ctx.zeros(p.value.shape);
      await this.ctx.sgd(p.value, p.grad, p.velocity, {
        lr: this.lr,
        momentum: this.momentum,
        weightDecay: p.decay ? this.weightDecay : 0,
      });
      p.clearGrad();
    }
  }
}
