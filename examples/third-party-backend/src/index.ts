export { createNaiveBackend, naiveBackend, register, NAIVE_PRECISION, type NaiveBackend } from './backend.js';
export { naiveBackend as default } from './backend.js';
