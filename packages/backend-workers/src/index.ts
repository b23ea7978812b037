export {
  WorkersBackend,
  createWorkersBackend,
  workersBackend,
  register,
  WORKERS_PRECISION,
  DEFAULT_MIN_TASK_WORK,
  type WorkersBackendOptions,
} from './backend.js';
export { WorkerPool } from './pool.js';
export type { Fault } from './protocol.js';
export { sharedMemoryAvailable } from './env.js';
