import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Application, LogLevel, type TypeDocOptions } from 'typedoc';
import { publicPackages, workspaceRoot } from './workspace.js';

export interface DocsResult {
  out: string;
  packages: string[];
  errors: number;
  warnings: number;
}

/**
 * API reference of every public package from its TSDoc comments, with typedoc in "packages" mode
 * (one module per package, entry point src/index.ts, the package's own tsconfig.json), into `out`.
 */
export async function generateDocs(o: { root?: string; out?: string; log?: boolean } = {}): Promise<DocsResult> {
  const root = o.root ?? workspaceRoot();
  const out = o.out ?? join(root, 'docs', 'api');
  const pkgs = publicPackages(root).filter((p) => existsSync(join(p.dir, 'src', 'index.ts')) && existsSync(join(p.dir, 'tsconfig.json')));
  const options: Partial<TypeDocOptions> = {
    name: 'convkit API',
    entryPointStrategy: 'packages',
    entryPoints: pkgs.map((p) => p.dir),
    packageOptions: { entryPoints: ['src/index.ts'], excludeInternal: true, excludePrivate: true, skipErrorChecking: true, disableSources: true, disableGit: true },
    readme: existsSync(join(root, 'README.md')) ? join(root, 'README.md') : 'none',
    out,
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: true,
    skipErrorChecking: true,
    githubPages: false,
    disableSources: true,
    hideGenerator: true,
    validation: { notExported: false, invalidLink: true, notDocumented: false },
    logLevel: o.log === false ? LogLevel.Error : LogLevel.Info,
  };
  const app = await Application.bootstrapWithPlugins(options);
  const project = await app.convert();
  if (!project) throw new Error('typedoc could not convert the project (see the messages above)');
  app.validate(project);
  await app.generateDocs(project, out);
  const logger = app.logger as unknown as { errorCount?: number; warningCount?: number };
  return { out, packages: pkgs.map((p) => p.name), errors: logger.errorCount ?? 0, warnings: logger.warningCount ?? 0 };
}
