export { JsBackend, createJsBackend, jsBackend, register, JS_PRECISION } from './backend.js';
export * as kernels from './kernels/index.js';
