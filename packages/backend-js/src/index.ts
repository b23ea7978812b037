export { createJsBackend, jsBackend, register, JS_PRECISION, type JsBackend } from './backend.js';
export { JsRuntime } from './runtime.js';
export { jsKernels } from './kernels.js';
