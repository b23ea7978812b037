/**
 * `@convkit/backend-wasm/internal`: the pointer-level drivers and the raw-kernel adapter that
 * @convkit/backend-workers runs in its workers (and this package's tests use). Not the public
 * API: no semver promise; the backend itself is the main entry.
 */
export * from './drivers/index.js';
export { WasmRawKernels, createWasmRawKernels } from './raw.js';
