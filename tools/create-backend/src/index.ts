export {
  createBackend,
  findWorkspaceRoot,
  CreateBackendError,
  NAME_RE,
  VERSIONS,
  type CreateOptions,
  type CreateResult,
} from './create.js';
export { renderPackage, identifiers, kernelOps, type TemplateVars } from './templates.js';
