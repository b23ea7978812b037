/**
 * The browser half's page code (bundled by browser.ts with esbuild together with every backend
 * package found): the same workloads, checks and timing as in Node, on the convkit backends that
 * exist in a browser (gpu.js webgl2 / webgpu / webasm, Web Workers with SharedArrayBuffer, js) and
 * on tfjs-backend-wasm with threads (the page is cross-origin isolated).
 */
import type { BackendDescriptor } from '@convkit/core';
import { runHalf, type HalfConfig, type RowResult } from './bench.js';
import { implsFromDescriptors } from './convkit_impl.js';
import { loadTf, tfjsImpls } from './tfjs.js';
import type { Impl } from './impl.js';

/** What the CLI passes to the page (bench.ts HalfConfig). */
export type BrowserConfig = HalfConfig;

function isDescriptor(v: unknown): v is BackendDescriptor {
  return !!v && typeof v === 'object' && typeof (v as BackendDescriptor).name === 'string' && typeof (v as BackendDescriptor).probe === 'function' && typeof (v as BackendDescriptor).create === 'function';
}

export async function benchInBrowser(
  cfg: BrowserConfig,
  modules: Record<string, unknown>[],
): Promise<{ rows: RowResult[]; skipped: { impl: string; reason: string }[]; notes: string[]; userAgent: string }> {
  const log = (s: string) => console.log(`[bench] ${s}`);
  const descs: BackendDescriptor[] = [];
  const seen = new Set<string>();
  for (const m of modules) for (const v of Object.values(m)) if (isDescriptor(v) && !seen.has(v.name)) (seen.add(v.name), descs.push(v));
  const skipped: { impl: string; reason: string }[] = [];
  const impls: Impl[] = [];
  for (const r of await implsFromDescriptors(descs, 'browser', log)) {
    if (r.impl) impls.push(r.impl);
    else skipped.push({ impl: r.label, reason: r.skipped ?? '' });
  }
  const threads = (globalThis as { __realCores?: number }).__realCores || navigator.hardwareConcurrency || 2;
  for (const r of await tfjsImpls({ cpu: false, wasmPaths: '/tfjs/', threads, suffix: '@chromium' })) {
    if (r.impl) impls.push(r.impl);
    else skipped.push({ impl: r.label, reason: r.skipped ?? '' });
  }
  try {
    const tf = await loadTf();
    log(`tfjs flags: IS_NODE=${tf.env().getBool('IS_NODE')} WASM_HAS_SIMD_SUPPORT=${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')} WASM_HAS_MULTITHREAD_SUPPORT=${await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')} crossOriginIsolated=${(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated}`);
  } catch (e) {
    log(`tfjs flags: ${e}`);
  }
  const implRe = cfg.impl ? new RegExp(cfg.impl) : null;
  // full mode: what only a browser has (gpu.js webgl2/webgpu, Web Workers, threaded tfjs-wasm); the
  // js and webasm engines are the same V8 / WebAssembly as in Node and are only checked in quick mode
  const browserOnly = (id: string) => !/^convkit:(js|gpujs:webasm)@/.test(id);
  const selected = impls.filter((i) => (!implRe || implRe.test(i.id)) && (cfg.quick || implRe || browserOnly(i.id)));
  log(`implementations: ${selected.map((i) => `${i.id} [${i.engine}]`).join(', ')}`);
  const rows = await runHalf(cfg, selected, log);
  for (const i of impls) await i.dispose();
  const notes = [
    `browser half: ${navigator.userAgent}, crossOriginIsolated=${(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated}, hardwareConcurrency=${threads}; WebGL2/WebGPU run on SwiftShader (software, no GPU here).`,
  ];
  return { rows, skipped, notes, userAgent: navigator.userAgent };
}
