export {
  WorkersBackend,
  createWorkersBackend,
  workersBackend,
  register,
  WORKERS_PRECISION,
  DEFAULT_MIN_TASK_WORK,
  type WorkersBackendOptions,
  type WorkersKernelsOption,
} from './backend.js';
export { WorkerPool } from './pool.js';
export type { Fault, WorkerKernels } from './protocol.js';
export type { KernelReport } from './pool.js';
export { sharedMemoryAvailable } from './env.js';
// brings the `workers` entry of core's BackendOptionsMap into the published types (typed backendOptions)
import './options.js';
