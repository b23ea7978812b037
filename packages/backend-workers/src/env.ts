/** Platform facts the backend needs, without importing Node built-ins at load time (browser-safe). */

declare const navigator: { hardwareConcurrency?: number } | undefined;

/** True in Node (main thread or worker_threads), false in browsers and Web Workers. */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return !!p?.versions?.node && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'undefined';
}

/**
 * Whether tensors can live in SharedArrayBuffers shared with workers: Node always; a browser
 * only in a cross-origin-isolated page (COOP/COEP headers).
 */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if (isNode()) return true;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** Imports a Node built-in by a name bundlers do not follow (keeps browser bundles clean). */
export async function importNode<T = any>(name: string): Promise<T> {
  const spec = `node:${name}`;
  return (await import(/* @vite-ignore */ spec)) as T;
}

/** Default pool size: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
export async function defaultPoolSize(): Promise<number> {
  if (isNode()) {
    const os = await importNode<typeof import('node:os')>('os');
    const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    return Math.max(1, n | 0);
  }
  const n = typeof navigator !== 'undefined' ? navigator?.hardwareConcurrency : undefined;
  return Math.max(1, (n ?? 2) | 0);
}

/** Whether this platform can start workers at all. */
export async function workersAvailable(): Promise<{ ok: boolean; reason: string }> {
  if (isNode()) {
    try {
      const wt = await importNode<typeof import('node:worker_threads')>('worker_threads');
      return typeof wt.Worker === 'function'
        ? { ok: true, reason: 'worker_threads' }
        : { ok: false, reason: 'node:worker_threads has no Worker' };
    } catch (e) {
      return { ok: false, reason: `node:worker_threads unavailable: ${(e as Error).message}` };
    }
  }
  if (typeof (globalThis as { Worker?: unknown }).Worker !== 'function') {
    return { ok: false, reason: 'no Web Worker support on this platform' };
  }
  return { ok: true, reason: 'web workers' };
}
