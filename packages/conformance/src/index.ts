export * from './format.js';
export * from './runner.js';
export * from './tolerance.js';
export { goldenDir, nodeStore, nodeUwnetReader, listCases } from './node.js';
export { conformanceSuite, type ConformanceSuiteOptions } from './vitest.js';
export { loadBackendModule, type LoadedBackend } from './load.js';
