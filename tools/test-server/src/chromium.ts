/**
 * How convkit's browser tests, checks and benchmark launch Chromium through playwright-core: the
 * system build (never a downloaded browser) and one set of flags.
 */

/** The system Chromium; CONVKIT_CHROMIUM overrides the path. */
export const CHROMIUM: string = process.env.CONVKIT_CHROMIUM ?? '/usr/bin/chromium';

/** Headless in a container: no sandbox, no background networking, updates, sync or QUIC. */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]);

/** CHROMIUM_ARGS plus WebGPU and WebGL on SwiftShader (software Vulkan / ANGLE), for GPU pages. */
export const CHROMIUM_GPU_ARGS: readonly string[] = Object.freeze([
  ...CHROMIUM_ARGS,
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
]);
