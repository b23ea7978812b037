/**
 * The project's conformance suite (@convkit/conformance: golden cases + uwnet) on the workers
 * backend in Node: shared memory with every op split over 3 workers down to single rows/channels,
 * and copy mode. (The browser run is in browser.test.ts.)
 */
import { conformanceSuite } from '@convkit/conformance/vitest';
import { createWorkersBackend } from '../dist/index.js';

conformanceSuite({
  name: 'workers (worker_threads+sab, 3 workers, finest split)',
  create: () => createWorkersBackend({ workers: 3, minTaskWork: 1 }),
});

conformanceSuite({
  name: 'workers (worker_threads+copy, 2 workers, finest split)',
  create: () => createWorkersBackend({ workers: 2, minTaskWork: 1, forceCopy: true }),
});
