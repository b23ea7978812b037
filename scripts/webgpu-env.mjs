// WebGPU in Node for the test scripts (scripts/test.mjs, packages/backend-gpujs/scripts/test.mjs,
// packages/reliability/scripts/test.mjs). backend-gpujs runs WebGPU in Node through the optional
// `webgpu` package (Dawn over Vulkan). Where Debian's chromium ships SwiftShader's Vulkan ICD and
// the environment names no Vulkan driver (VK_ICD_FILENAMES / VK_DRIVER_FILES unset), the tests point
// Dawn at SwiftShader and REQUIRE WebGPU (CONVKIT_GPUJS_REQUIRE_WEBGPU=1: a missing adapter fails
// the run instead of skipping). A driver the environment names is used as it is (not required);
// without either, the webgpu tests skip loudly.
import { existsSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The environment for a test run, with the WebGPU variables set as described above. */
export function webgpuTestEnv(tag, env = process.env) {
  const out = { ...env };
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) {
    console.log(`[${tag}] webgpu: using the Vulkan driver the environment names (${env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES})`);
  } else if (existsSync(SWIFTSHADER_ICD)) {
    out.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    out.CONVKIT_GPUJS_REQUIRE_WEBGPU = '1';
    console.log(`[${tag}] webgpu: Dawn on SwiftShader (VK_ICD_FILENAMES=${SWIFTSHADER_ICD}); WebGPU in Node is required`);
  } else {
    console.warn(`[${tag}] !!! no Vulkan driver named and no ${SWIFTSHADER_ICD} (apt-get install chromium libvulkan1): webgpu tests may be SKIPPED`);
  }
  return out;
}
