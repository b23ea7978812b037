/**
 * WebGPU in Node for the tests: the probe (a real device and a 4-element kernel, through the
 * optional `webgpu` package = Dawn), whether the test script made WebGPU REQUIRED
 * (CONVKIT_GPUJS_REQUIRE_WEBGPU=1: it found SwiftShader's Vulkan ICD and pointed VK_ICD_FILENAMES
 * at it), and the adapter the tests must see.
 */
import { describe, expect, it } from 'vitest';
import { probeMode, type ModeProbe } from '../platform.js';
import type { AdapterReport } from '../webgpu-node.js';

export const webgpu: ModeProbe = await probeMode('webgpu');
const required = process.env.CONVKIT_GPUJS_REQUIRE_WEBGPU === '1';
const icd = `${process.env.VK_ICD_FILENAMES ?? ''}${process.env.VK_DRIVER_FILES ?? ''}`;
/** the Vulkan driver the environment names is SwiftShader (the CI set-up) */
export const onSwiftShader = /swiftshader/i.test(icd);

/** Warns loudly when WebGPU is missing, and fails (one test) when the test script required it. */
export function reportWebgpu(suite: string): void {
  if (webgpu.available) return;
  console.warn(`\n[${suite}] !!! webgpu tests SKIPPED: ${webgpu.reason}\n`);
  if (required) {
    describe(`webgpu in Node (${suite})`, () => {
      it('can start a WebGPU device and run a kernel', () => {
        throw new Error(`WebGPU is unavailable although the test script required it (CONVKIT_GPUJS_REQUIRE_WEBGPU=1, ${icd}): ${webgpu.reason}`);
      });
    });
  }
}

/** The adapter is SwiftShader and software where the environment says so; otherwise the report is consistent. */
export function expectTestAdapter(a: AdapterReport | null | undefined): void {
  expect(a, 'a webgpu backend reports its adapter').toBeTruthy();
  if (onSwiftShader) {
    expect(`${a!.vendor} ${a!.architecture} ${a!.description}`).toMatch(/swiftshader/i);
    expect(a!.software).toBe(true);
  } else if (/swiftshader|llvmpipe|lavapipe|warp/i.test(`${a!.architecture} ${a!.description}`) || a!.isFallbackAdapter) {
    expect(a!.software).toBe(true);
  }
}
