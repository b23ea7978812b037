export * from './errors.js';
export { Tensor, sizeOf, MAX_ELEMENTS, type DType, type TypedArrayFor, type TensorTracker } from './tensor.js';
export * from './geometry.js';
export * from './backend.js';
export { KERNEL_OPS, COMPOSITE_OPS, OPS, opRecord, isOpName, type OpRecord, type OpTensorSpec, type AnyOpName } from './ops.js';
export { defineBackend, type BackendRuntime, type Kernel, type KernelTable, type BackendDefinition, type DefinedBackend } from './define.js';
export {
  Registry,
  registry,
  type ProbeReport,
  type BackendPreference,
  type BackendRequest,
  type Selection,
  type SelectionAttempt,
} from './registry.js';
export * from './context.js';
export {
  checkTensor,
  checkShapeEq,
  checkOptions,
  checkLabels,
  checkPoolIndices,
  windowGeometry,
  shapesOf,
  formatValue,
  type WindowOptions,
} from './validate.js';
