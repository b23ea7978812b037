/**
 * A minimal module whose one function uses a v128 instruction:
 * (module (func (result v128) i32.const 0 i32x4.splat)). WebAssembly.validate accepts it only
 * where 128-bit SIMD is supported.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // func 0: type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b, // code: i32.const 0; i32x4.splat; end
]);

/** Why WebAssembly SIMD cannot be used here, or null when it can. */
export function simdUnavailableReason(): string | null {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return 'no WebAssembly';
  try {
    return WebAssembly.validate(SIMD_PROBE) ? null : 'WebAssembly.validate rejected a 128-bit SIMD module';
  } catch (e) {
    return `WebAssembly SIMD probe threw: ${(e as Error).message}`;
  }
}

export function simdSupported(): boolean {
  return simdUnavailableReason() === null;
}
