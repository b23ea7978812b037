import { OP_SPECS, type OpSpec } from './ops.js';

/** Everything the templates need to know about the backend being scaffolded. */
export interface TemplateVars {
  /** registry name, e.g. 'wasm-simd' */
  name: string;
  /** npm name, e.g. '@convkit/backend-wasm-simd' */
  pkgName: string;
  /** class name, e.g. 'WasmSimdBackend' */
  className: string;
  /** camelCase stem, e.g. 'wasmSimd' (descriptor `wasmSimdBackend`, factory `createWasmSimdBackend`) */
  camel: string;
  /** dependency range for @convkit/core and @convkit/conformance, e.g. 'workspace:*' */
  range: string;
  /** tsconfig "extends", e.g. '../../tsconfig.base.json' */
  tsconfigBase: string;
  /** versions of the dev tools, kept equal to the workspace's */
  versions: { typescript: string; vitest: string; typesNode: string };
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function opFile(spec: OpSpec): string {
  const types = [...new Set(spec.types)].map((t) => `type ${t}`).join(', ');
  return `import { NotImplementedError, ${types} } from '@convkit/core';
import type { Storage } from '../storage.js';

/**
${spec.doc.map((l) => ` * ${l}`).join('\n')}
 *
 * Arithmetic contract: CONVENTIONS.md; signature: KernelBackend.${spec.op} in @convkit/core.
 * Core has validated every argument and computed the geometry before this runs.
 *
 * NOT IMPLEMENTED YET. Write it here (read inputs with s.f(id) / s.i(id), allocate outputs with
 * s.f32(n) / s.i32(n)), then add '${spec.op}' to IMPLEMENTED in src/backend.ts and run conformance.
 */
export function ${spec.op}(s: Storage, ${spec.params}): ${spec.returns} {
  throw new NotImplementedError('${spec.op}', s.backendName);
}
`;
}

export function storageFile(v: TemplateVars): string {
  return `import type { DataId, DType } from '@convkit/core';

/** One buffer of tensor data: a Float32Array (float32) or an Int32Array (int32, e.g. pool indices). */
export class Data {
  constructor(
    public values: Float32Array | Int32Array,
    public readonly dtype: DType,
  ) {}
}

/**
 * Storage of the ${v.name} backend: one typed array per data id, with live counts for memory().
 * Replace it if your engine keeps data elsewhere (GPU buffers, wasm memory); core only ever sees
 * the opaque DataId objects.
 */
export class Storage {
  readonly #live = new Set<Data>();
  #bytes = 0;

  constructor(readonly backendName: string) {}

  /** Registers an array as a new data id (takes ownership, no copy). */
  adopt(values: Float32Array | Int32Array, dtype: DType): Data {
    const d = new Data(values, dtype);
    this.#live.add(d);
    this.#bytes += values.byteLength;
    return d;
  }

  /** A new zeroed float32 buffer of n elements. */
  f32(n: number): Data {
    return this.adopt(new Float32Array(n), 'float32');
  }

  /** A new zeroed int32 buffer of n elements. */
  i32(n: number): Data {
    return this.adopt(new Int32Array(n), 'int32');
  }

  get(id: DataId): Data {
    const d = id as Data;
    if (!(d instanceof Data) || !this.#live.has(d)) {
      throw new Error(\`\${this.backendName} backend: unknown or disposed data id\`);
    }
    return d;
  }

  /** Float32 values of a data id (no copy). */
  f(id: DataId): Float32Array {
    return this.get(id).values as Float32Array;
  }

  /** Int32 values of a data id (no copy). */
  i(id: DataId): Int32Array {
    return this.get(id).values as Int32Array;
  }

  free(id: DataId): void {
    const d = id as Data;
    if (this.#live.delete(d)) this.#bytes -= d.values.byteLength;
  }

  clear(): void {
    this.#live.clear();
    this.#bytes = 0;
  }

  get count(): number {
    return this.#live.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
`;
}

export function backendFile(v: TemplateVars): string {
  const C = v.className;
  const imports = OP_SPECS.map((s) => `import { ${s.op} } from './ops/${s.file}.js';`).join('\n');
  const coreTypes = [
    ...new Set([
      'BackendDescriptor',
      'BackendMemory',
      'DataId',
      'DType',
      'KernelBackend',
      'OpName',
      'Precision',
      'Registry',
      ...OP_SPECS.flatMap((s) => s.types),
    ]),
  ].sort((a, b) => a.localeCompare(b));
  const methods = OP_SPECS.map(
    (s) => `  ${s.op}(${s.params}): ${s.returns} {
    ${s.returns === 'void' ? '' : 'return '}${s.op}(this.#s, ${s.args});
  }`,
  ).join('\n\n');
  return `import {
  registry as defaultRegistry,
${coreTypes.map((t) => `  type ${t},`).join('\n')}
} from '@convkit/core';
import { Storage } from './storage.js';
${imports}

/**
 * The ops this backend really implements. Core checks this list before calling a kernel and
 * raises NotImplementedError for every op missing from it (nothing runs elsewhere), and the
 * conformance suite reports those ops as "not implemented". Add an op here once its file in
 * src/ops/ is written, then run conformance: it must pass, not just run.
 */
export const IMPLEMENTED: readonly OpName[] = [];

/**
 * The tolerance this backend claims against the float64 reference (CONVENTIONS.md,
 * "Tolerances"): a float32 backend must meet atol = rtol = 1e-4 on unit-scale data.
 */
export const PRECISION: Precision = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

/**
 * Your backend's options (device, threads, ...). List every key in OPTION_KEYS too: core refuses
 * any other key passed as \`backendOptions\`, naming the nearest listed one.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ${C}Options {}

/** Every key of ${C}Options (the descriptor's optionKeys); the Record makes a missing key a type error. */
export const OPTION_KEYS = Object.freeze(Object.keys({} satisfies Record<keyof ${C}Options, true>)) as readonly (keyof ${C}Options)[];

declare module '@convkit/core' {
  interface BackendOptionsMap {
    '${v.name}': ${C}Options;
  }
}

/** The ${v.name} backend. Storage is Float32Array / Int32Array; kernels live in src/ops/, one file per op. */
export class ${C} implements KernelBackend {
  readonly name = '${v.name}';
  /** The engine that really executes the kernels. Report what ran, never what was requested. */
  readonly engine: string = 'js';
  readonly capabilities: ReadonlySet<OpName> = new Set(IMPLEMENTED);
  readonly precision: Precision = PRECISION;
  readonly options: ${C}Options;
  readonly #s = new Storage('${v.name}');

  constructor(options: ${C}Options = {}) {
    this.options = options;
  }

  // ---- storage ---------------------------------------------------------------------------
  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    const copy = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    return this.#s.adopt(copy, dtype);
  }

  zeros(size: number, dtype: DType): DataId {
    return dtype === 'int32' ? this.#s.i32(size) : this.#s.f32(size);
  }

  read(id: DataId): Promise<Float32Array | Int32Array> {
    try {
      return Promise.resolve(this.readSync(id));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  readSync(id: DataId): Float32Array | Int32Array {
    return this.#s.get(id).values.slice();
  }

  disposeData(id: DataId): void {
    this.#s.free(id);
  }

  memory(): BackendMemory {
    return { dataIds: this.#s.count, bytes: this.#s.bytes };
  }

  dispose(): void {
    this.#s.clear();
  }

  // ---- kernels (src/ops/) ------------------------------------------------------------------
${methods}
}

export function create${C}(options: ${C}Options = {}): ${C} {
  return new ${C}(options);
}

/**
 * Registry descriptor. Priority 1 (below js = 10) so that 'auto' never picks a backend that is
 * still being written; raise it when every op passes conformance.
 */
export const ${v.camel}Backend: BackendDescriptor<${C}Options> = {
  name: '${v.name}',
  priority: 1,
  optionKeys: OPTION_KEYS,
  probe: () => ({ available: true, reason: 'pure TypeScript storage; kernels in src/ops/' }),
  create: (options?: ${C}Options) => create${C}(options),
};

/** Registers the ${v.name} backend on \`registry\` (default: core's process-wide registry). */
export function register(registry: Registry = defaultRegistry): Registry {
  return registry.register(${v.camel}Backend);
}
`;
}

export function indexFile(v: TemplateVars): string {
  return `export {
  ${v.className},
  create${v.className},
  ${v.camel}Backend,
  register,
  IMPLEMENTED,
  PRECISION,
  type ${v.className}Options,
} from './backend.js';
export { ${v.camel}Backend as default } from './backend.js';
`;
}

export function conformanceTestFile(v: TemplateVars): string {
  return `import { conformanceSuite } from '@convkit/conformance/vitest';
import { ${v.camel}Backend } from './index.js';
conformanceSuite({ name: ${v.camel}Backend.name, create: () => ${v.camel}Backend.create() });
`;
}

export function packageJson(v: TemplateVars): string {
  const pkg = {
    name: v.pkgName,
    version: '0.0.0',
    description: `convkit backend '${v.name}': TODO one line on the engine it runs on.`,
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'README.md'],
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      lint: 'tsc -p tsconfig.json --noEmit',
      test: 'vitest run',
      conformance: 'node scripts/conformance.mjs',
    },
    dependencies: { '@convkit/core': v.range },
    devDependencies: {
      '@convkit/conformance': v.range,
      '@types/node': v.versions.typesNode,
      typescript: v.versions.typescript,
      vitest: v.versions.vitest,
    },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

export function tsconfigFile(v: TemplateVars): string {
  return (
    JSON.stringify(
      {
        extends: v.tsconfigBase,
        compilerOptions: { rootDir: 'src', outDir: 'dist', noEmit: true },
        include: ['src'],
      },
      null,
      2,
    ) + '\n'
  );
}

export const TSCONFIG_BUILD = `{
  "extends": "./tsconfig.json",
  "compilerOptions": { "noEmit": false },
  "exclude": ["src/**/*.test.ts"]
}
`;

/**
 * Runs the convkit-conformance CLI on dist/. Resolved through @convkit/conformance's package.json
 * rather than the CLI's bin: on a fresh clone pnpm links workspace bins at install time, before
 * dist/cli.js is built, so the bin would be missing until the next install.
 */
export const CONFORMANCE_SCRIPT = `// The convkit-conformance CLI on this package's dist/ (extra arguments are passed on, e.g. --filter relu).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const cli = join(dirname(require.resolve('@convkit/conformance/package.json')), 'dist', 'cli.js');
const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(process.execPath, [cli, './dist/index.js', ...process.argv.slice(2)], { cwd: pkg, stdio: 'inherit' });
process.exit(r.status ?? 1);
`;

export const VITEST_CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
`;

export function readmeFile(v: TemplateVars): string {
  const rows = OP_SPECS.map((s) => `| \`${s.op}\` | \`src/ops/${s.file}.ts\` | not implemented |`).join('\n');
  return `# ${v.pkgName}

convkit backend \`${v.name}\`. TODO: one paragraph on the engine it runs on and why one would pick it.

Scaffolded by \`pnpm create-backend ${v.name}\`: storage works (Float32Array / Int32Array), every op
of the interface is present and throws \`NotImplementedError\` until written, and no op is declared
in \`capabilities\` yet. The walkthrough from here to a passing conformance run is in the
repository's CONTRIBUTING.md.

\`\`\`ts
import { Registry, createContext } from '@convkit/core';
import { ${v.camel}Backend } from '${v.pkgName}';

const ctx = await createContext({ backend: '${v.name}', registry: new Registry().register(${v.camel}Backend) });
const y = await ctx.relu(ctx.tensor([-1, 2], [2])); // NotImplementedError until relu is written
\`\`\`

## Platform matrix

| platform | status |
|---|---|
| Node 20+ | TODO |
| browsers (main thread) | TODO |
| Web Workers | TODO |

## Ops

| op | file | status |
|---|---|---|
${rows}

Update a row when its op passes conformance and is listed in \`IMPLEMENTED\` (src/backend.ts).

## Commands

\`\`\`sh
pnpm --filter ${v.pkgName} build
pnpm --filter ${v.pkgName} test          # vitest: the conformance suite on this backend
pnpm --filter ${v.pkgName} conformance   # the conformance CLI on dist/: a table of ops (extra args: --filter relu --verbose)
\`\`\`
`;
}

export function changesetFile(v: TemplateVars): string {
  return `---
"${v.pkgName}": minor
---

New backend '${v.name}' (scaffolded; ops are declared in capabilities as they pass conformance).
`;
}

/** Every file of a scaffolded backend package, by path relative to the package directory. */
export function renderPackage(v: TemplateVars): Record<string, string> {
  const files: Record<string, string> = {
    'package.json': packageJson(v),
    'tsconfig.json': tsconfigFile(v),
    'tsconfig.build.json': TSCONFIG_BUILD,
    'vitest.config.ts': VITEST_CONFIG,
    'README.md': readmeFile(v),
    'src/index.ts': indexFile(v),
    'src/backend.ts': backendFile(v),
    'src/storage.ts': storageFile(v),
    'src/conformance.test.ts': conformanceTestFile(v),
    'scripts/conformance.mjs': CONFORMANCE_SCRIPT,
  };
  for (const s of OP_SPECS) files[`src/ops/${s.file}.ts`] = opFile(s);
  return files;
}

/** 'wasm-simd' -> { className: 'WasmSimdBackend', camel: 'wasmSimd' } */
export function identifiers(name: string): { className: string; camel: string } {
  const parts = name.split('-').filter(Boolean);
  const camel = parts[0]! + parts.slice(1).map(pascal).join('');
  return { className: `${pascal(camel)}Backend`, camel };
}
