/** What trainStep and the learning-rate schedules need of an optimizer (SGD, Adam). */
export interface Optimizer {
  /** the learning rate of the next step (schedules set it) */
  lr: number;
  /** applies the gradients of the last backward pass to the params and disposes the gradients */
  step(): Promise<void>;
}
