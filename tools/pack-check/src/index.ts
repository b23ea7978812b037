export { packCheck, cleanup, type PackCheckReport, type PackCheckOptions, type ImportResult } from './check.js';
export { runExample, type ExampleResult } from './example.js';
export { checkManifest, checkTarball, exportTargets, type Findings } from './manifest.js';
export { packPackages, npmInstall, runtimeClosure, externalDeps, childEnv, type Packed } from './pack.js';
export { HAND, SMOKE_SCRIPT, runSmoke, compareSmoke, type SmokeResult } from './smoke.js';
export { workspaceRoot, workspacePackages, publicPackages, type Manifest, type WorkspacePackage } from './workspace.js';
export { generateDocs, type DocsResult } from './docs.js';
