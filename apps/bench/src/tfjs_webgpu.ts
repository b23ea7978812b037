/**
 * Peer for GPU in JavaScript: @tensorflow/tfjs-backend-webgpu 4.22 in Node, on navigator.gpu from
 * the `webgpu` package (webgpu_node.ts) — the same GPU object, hence the same adapter, as convkit's
 * gpu.js webgpu row. The row reports the adapter tfjs's backend itself holds (adapterInfo).
 */
import type { PeerRow } from './tfjs.js';
import { loadTf, TfjsImpl } from './tfjs.js';
import { adapterLine, provideNodeWebgpu, SOFTWARE_ADAPTER_RE } from './webgpu_node.js';

export async function tfjsWebgpuImpl(): Promise<PeerRow> {
  const label = 'tfjs:webgpu';
  const gpu = await provideNodeWebgpu();
  if (!gpu.ok) return { label, skipped: gpu.reason };
  try {
    const tf = await loadTf();
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error("setBackend('webgpu') returned false");
    if (tf.getBackend() !== 'webgpu') throw new Error(`tfjs runs on '${tf.getBackend()}', not webgpu`);
    const info = (tf.backend() as unknown as { adapterInfo?: unknown }).adapterInfo;
    const adapter = info ? adapterLine(info) : (gpu.adapter ?? 'unknown');
    const software = SOFTWARE_ADAPTER_RE.test(adapter) || !!gpu.software;
    return { label, impl: new TfjsImpl(label, tf, 'webgpu', 'tfjs-webgpu', 1, adapter, software) };
  } catch (e) {
    return { label, skipped: `tfjs-backend-webgpu did not start: ${((e as Error)?.message ?? String(e)).split('\n')[0]}` };
  }
}
