export { NaiveBackend, naiveBackend, register, NAIVE_PRECISION } from './backend.js';
export { naiveBackend as default } from './backend.js';
