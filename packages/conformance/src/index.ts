export * from './format.js';
export * from './runner.js';
export * from './tolerance.js';
export { goldenDir, nodeStore, nodeUwnetReader, listCases } from './node.js';
// The vitest suite factory lives at '@convkit/conformance/vitest' so that this entry (the runner,
// the golden store, the CLI's loader) never imports vitest: a backend checked with the CLI or from
// a browser page does not need vitest installed.
export { loadBackendModule, type LoadedBackend } from './load.js';
