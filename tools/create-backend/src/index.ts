export {
  createBackend,
  findWorkspaceRoot,
  CreateBackendError,
  NAME_RE,
  VERSIONS,
  type CreateOptions,
  type CreateResult,
} from './create.js';
export { renderPackage, identifiers, type TemplateVars } from './templates.js';
export { OP_SPECS, type OpSpec } from './ops.js';
