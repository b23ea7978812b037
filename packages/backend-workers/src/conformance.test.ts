/**
 * The project's conformance suite (@convkit/conformance: golden cases + uwnet) on the workers
 * backend in Node, for both kernel sets: the wasm SIMD kernels ('auto' here) with shared memory
 * (every op split over 3 workers down to single rows/channels) and in copy mode, and the js kernels.
 * (The browser run is in browser.test.ts.)
 */
import { conformanceSuite } from '@convkit/conformance/vitest';
import { createWorkersBackend } from '../dist/index.js';

conformanceSuite({
  name: 'workers (worker_threads+sab+wasm-simd, 3 workers, finest split)',
  create: () => createWorkersBackend({ workers: 3, minTaskWork: 1 }),
});

conformanceSuite({
  name: 'workers (worker_threads+copy+wasm-simd, 2 workers, finest split)',
  create: () => createWorkersBackend({ workers: 2, minTaskWork: 1, forceCopy: true }),
});

conformanceSuite({
  name: 'workers (worker_threads+sab+js, js kernels, 3 workers, finest split)',
  create: () => createWorkersBackend({ workers: 3, minTaskWork: 1, kernels: 'js' }),
});

conformanceSuite({
  name: 'workers with hostThread (main thread + 2 workers, wasm-simd, finest split)',
  create: () => createWorkersBackend({ workers: 2, minTaskWork: 1, hostThread: true }),
});
