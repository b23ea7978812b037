import type { Optimizer } from './optimizer.js';

/**
 * Learning-rate schedules with PyTorch's semantics (torch.optim.lr_scheduler): the constructor sets
 * the optimizer's lr to the base lr (step count 0); each `step()` advances the count by one and
 * sets the lr of the next optimizer step. Call it once per step (or per epoch, as you count).
 * The lrs are PyTorch's closed forms, so they never drift.
 */
export abstract class LrScheduler {
  /** the lr the schedule starts from (the optimizer's lr when the scheduler was made) */
  readonly baseLr: number;
  /** steps taken (PyTorch's last_epoch) */
  lastEpoch = 0;

  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
    if (!(Number.isFinite(this.baseLr) && this.baseLr >= 0)) throw new RangeError(`LrScheduler: the optimizer's lr must be a finite number >= 0, got ${this.baseLr}`);
  }

  /** lr after `t` steps. */
  abstract lrAt(t: number): number;

  /** Advances one step and sets optimizer.lr; returns it. */
  step(): number {
    this.lastEpoch += 1;
    this.optimizer.lr = this.lrAt(this.lastEpoch);
    return this.optimizer.lr;
  }
}

function positiveInt(cls: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${cls}: ${name} must be an integer >= 1, got ${v}`);
  return v;
}

export interface StepLROptions {
  /** steps between decays */
  stepSize: number;
  /** factor per decay; default 0.1 */
  gamma?: number;
}

/** torch StepLR: lr = baseLr * gamma^floor(t / stepSize). */
export class StepLR extends LrScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, o: StepLROptions) {
    super(optimizer);
    this.stepSize = positiveInt('StepLR', 'stepSize', o.stepSize);
    this.gamma = o.gamma ?? 0.1;
    if (!(Number.isFinite(this.gamma) && this.gamma >= 0)) throw new RangeError(`StepLR: gamma must be a finite number >= 0, got ${this.gamma}`);
    optimizer.lr = this.lrAt(0);
  }

  lrAt(t: number): number {
    return this.baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

export interface CosineAnnealingLROptions {
  /** steps of the half cosine (PyTorch's T_max) */
  tMax: number;
  /** lr at t = tMax; default 0 */
  etaMin?: number;
}

/** torch CosineAnnealingLR (its closed form): lr = etaMin + (baseLr - etaMin) * (1 + cos(pi t / tMax)) / 2. */
export class CosineAnnealingLR extends LrScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, o: CosineAnnealingLROptions) {
    super(optimizer);
    this.tMax = positiveInt('CosineAnnealingLR', 'tMax', o.tMax);
    this.etaMin = o.etaMin ?? 0;
    if (!(Number.isFinite(this.etaMin) && this.etaMin >= 0)) throw new RangeError(`CosineAnnealingLR: etaMin must be a finite number >= 0, got ${this.etaMin}`);
    optimizer.lr = this.lrAt(0);
  }

  lrAt(t: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}
