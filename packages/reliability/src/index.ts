/**
 * @convkit/reliability: the reliability suite's helpers (private package). The tests live in
 * src/*.test.ts; these are the parts other suites could reuse.
 */
export * from './values.js';
export * from './geometry.js';
export * from './cases.js';
export * from './backends.js';
export { summarize, type SummaryRecord } from './summaryLine.js';
export * from './fuzzrun.js';
export * from './train.js';
