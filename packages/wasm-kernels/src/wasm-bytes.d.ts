// Declarations of the build output dist/wasm-bytes.js (written by scripts/build.mjs).
export declare const KERNELS_WASM_BASE64: string;
export declare const KERNELS_SHARED_WASM_BASE64: string;
