export {
  createWorkersBackend,
  workersBackend,
  register,
  WORKERS_PRECISION,
  DEFAULT_MIN_TASK_WORK,
  type WorkersBackend,
  type WorkersBackendInfo,
  type WorkersBackendOptions,
  type WorkersKernelsOption,
} from './backend.js';
export { sharedMemoryAvailable } from './env.js';
// brings the `workers` entry of core's BackendOptionsMap into the published types (typed backendOptions)
import './options.js';
