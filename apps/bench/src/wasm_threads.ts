import type { PeerRow } from './tfjs.js';

/**
 * Threaded tfjs-backend-wasm in Node: not available, for the reasons found when trying it
 * (tfjs 4.22.0, Node 20):
 * - WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false when IS_NODE (tfjs issue 3830); the flag
 *   can be forced with tf.env().set(...), which selects the threaded-SIMD build.
 * - Its emscripten glue then starts pthreads from Blob URLs (worker script and main script), which
 *   worker_threads cannot load. A shim (a Blob subclass that writes its text to a temp file and a
 *   URL.createObjectURL that returns that path, plus definitions of rollup's hoisted `require$$N`
 *   and `commonjsGlobal` that the factory's toString() refers to) gets the module to load and
 *   compute correctly,
 * - but XNNPACK still reports getThreadsCount() = 1 (its pthreadpool gets no worker threads in
 *   Node), so a "threaded" row would be the single-threaded one under another name.
 * The threaded build IS measured in the browser half (tfjs:wasm-threads@chromium, a
 * cross-origin-isolated page), where it gets every core.
 */
export async function startThreadedTfjs(threads: number): Promise<PeerRow> {
  void threads;
  return {
    label: 'tfjs:wasm-threads (Node)',
    skipped:
      'not possible in Node: tfjs forces threads off when IS_NODE; forcing the flag and shimming its Blob-URL pthread workers loads the threaded build, but XNNPACK still gets 1 thread. Measured in Chromium instead (tfjs:wasm-threads@chromium).',
  };
}
