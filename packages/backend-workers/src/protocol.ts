/**
 * Messages between the main thread and the workers. In shared-memory mode tensors travel as
 * buffer ids: a worker gets each SharedArrayBuffer once (`bufs`) and caches it until `free`.
 * In copy mode (no SharedArrayBuffer) inputs travel as copies and each task sends back only the
 * output regions it computed.
 */
import type { DType, OpName } from '@convkit/core';

/**
 * Ops the workers compute as several range kernels rather than one of the op's own name:
 * conv2dBackward's three gradients each have their own split (dx by image and input channel, dW by
 * filter block over the whole batch, db by output channel).
 */
export interface SplitOps {
  conv2dBackward: 'conv2dBackwardData' | 'conv2dBackwardFilter' | 'conv2dBackwardBias';
}

/** The range kernels the ops `O` dispatch: each op's own name, or its parts (SplitOps). */
export type RangeKernelsOf<O extends OpName> = O extends keyof SplitOps ? SplitOps[O] : O;

/**
 * The name of a range kernel a task runs, derived from core's op records (OpName): adding an op
 * to core adds its name here; the worker table (table.ts) may only have kernels of these names,
 * and must have every one the host's kernel table (kernels.ts) dispatches (a compile-time check
 * there).
 */
export type KernelName = RangeKernelsOf<OpName>;

/** Half-open element range [start, end) of a flat tensor. */
export type Seg = readonly [number, number];

/** A fresh output the worker allocates in copy mode. */
export interface AllocRef {
  alloc: DType;
  size: number;
}

/** A tensor argument: buffer id (shared mode), a copy (copy mode), an output to allocate, or none. */
export type ArgRef = number | Float32Array | Int32Array | AllocRef | null;

/** Fault injection for tests: how the worker misbehaves on this task. */
export type Fault = 'crash' | 'exit' | 'throw' | 'stall' | 'slow';

export interface RunMsg {
  t: 'run';
  id: number;
  kernel: KernelName;
  p: unknown;
  a: Record<string, ArgRef>;
  r: number[];
  /** copy mode: the output regions to send back, per output argument */
  ret?: Record<string, Seg[]>;
  /** shared buffers this worker has not seen yet: [id, buffer, dtype] */
  bufs?: [number, SharedArrayBuffer, DType][];
  fault?: Fault;
  /** diagnostics (pool.profile): the worker answers with timestamps (`DoneMsg.tm`) */
  prof?: 1;
  /**
   * hostThread: the op's claim flags and this task's index. The worker runs the task only if it
   * turns the flag from 0 to 1 (Atomics.compareExchange); else the main thread has run it and the
   * worker answers `skipped`.
   */
  claim?: [SharedArrayBuffer, number];
}

export interface FreeMsg {
  t: 'free';
  ids: number[];
}

/**
 * The first message every worker gets: which kernels to run. The worker answers with a ReadyMsg
 * saying which kernels it really runs (its own WebAssembly SIMD probe).
 */
export interface InitMsg {
  t: 'init';
  /** 'wasm': wasm SIMD kernels or fail every task; 'auto': wasm SIMD, else js; 'js': js kernels */
  kernels: 'auto' | 'wasm' | 'js';
  /** test hook: the worker's SIMD probe fails */
  simulateNoSimd?: boolean;
}

export type ToWorker = RunMsg | FreeMsg | InitMsg;

/** Kernels a worker runs: the WebAssembly SIMD kernels (heavy ops) or the js kernels only. */
export type WorkerKernels = 'wasm-simd' | 'js';

/** The worker's answer to InitMsg. */
export interface ReadyMsg {
  t: 'ready';
  kernels: WorkerKernels;
  /** why the wasm kernels are not running (absent when kernels is 'wasm-simd' or js was asked for) */
  reason?: string;
}

export interface DoneMsg {
  t: 'done';
  id: number;
  /** kernels that return a number (softmax cross-entropy partial sums) */
  value?: number;
  /** copy mode: packed regions per output argument, in `ret` order */
  out?: Record<string, Float32Array | Int32Array>;
  /** which kernel set computed this task (kernels that have a wasm version) */
  via?: 'wasm' | 'js';
  /** the task's claim flag was already taken (the main thread ran it) */
  skipped?: 1;
  /**
   * Diagnostics, when the task had `prof`: absolute times in ms (performance.timeOrigin + now()):
   * [received, arguments resolved, ...marks inside the kernel (wasm: copy-in done, kernel done), done].
   */
  tm?: number[];
}

export interface FailMsg {
  t: 'fail';
  id: number;
  message: string;
}

/** Sent by a task with fault 'stall' once it is stuck inside the op. */
export interface StallingMsg {
  t: 'stalling';
  id: number;
}

export type FromWorker = DoneMsg | FailMsg | StallingMsg | ReadyMsg;
