import { COMPOSITE_OPS, KERNEL_OPS, OP_NAMES, type OpRecord } from '@convkit/core';

/** Everything the templates need to know about the backend being scaffolded. */
export interface TemplateVars {
  /** registry name, e.g. 'wasm-simd' */
  name: string;
  /** npm name, e.g. '@convkit/backend-wasm-simd' */
  pkgName: string;
  /** type name of the backend object, e.g. 'WasmSimdBackend' (options: 'WasmSimdBackendOptions') */
  className: string;
  /** the runtime class (src/runtime.ts), e.g. 'WasmSimdRuntime' */
  runtimeClass: string;
  /** camelCase stem, e.g. 'wasmSimd' (descriptor `wasmSimdBackend`, table `wasmSimdKernels`, factory `createWasmSimdBackend`) */
  camel: string;
  /** dependency range for @convkit/core and @convkit/conformance, e.g. 'workspace:*' */
  range: string;
  /** tsconfig "extends", e.g. '../../tsconfig.base.json' */
  tsconfigBase: string;
  /** versions of the dev tools, kept equal to the workspace's */
  versions: { typescript: string; vitest: string; typesNode: string };
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The kernel ops of core's records, in the interface's order: one src/ops/<op>.ts each. */
export function kernelOps(): OpRecord[] {
  return OP_NAMES.map((op) => KERNEL_OPS[op]);
}

function describeInputs(rec: OpRecord): string {
  return rec.inputs
    .map((i) => `${i.name}${i.optional ? '?' : ''} (${i.dtype}${i.inPlace ? ', updated in place' : ''})`)
    .join(', ');
}

/**
 * src/ops/<op>.ts: the op's kernel, typed `Kernel<Runtime, op>` from core (so the compiler checks
 * its signature against KernelSignatures), throwing NotImplementedError until written. The doc
 * comment comes from the op's record in core.
 */
export function opFile(v: TemplateVars, rec: OpRecord): string {
  const R = v.runtimeClass;
  const attrs = rec.attributes.length ? rec.attributes.join(', ') : 'none';
  const outs = rec.outputs.length ? rec.outputs.join(', ') : `none (${rec.inputs.filter((i) => i.inPlace).map((i) => i.name).join(' and ')} updated in place)`;
  return `import { NotImplementedError, type Kernel } from '@convkit/core';
import type { ${R} } from '../runtime.js';

/**
 * ${rec.name}: ${rec.summary}.
 *
 * Tensors: ${describeInputs(rec)}.
 * Options of the Context op: ${attrs}. Outputs: ${outs}.
 * The kernel gets data ids and core's normalized parameters: its exact signature is
 * \`KernelSignatures.${rec.name}\` in @convkit/core, with the runtime first (\`Kernel<${R}, '${rec.name}'>\`).
 * Arithmetic contract: CONVENTIONS.md. Core has validated every argument and computed the
 * geometry before this runs.
 *
 * NOT IMPLEMENTED YET. Write it here (read inputs with rt.f(id) / rt.i(id), allocate outputs with
 * rt.f32(n) / rt.i32(n)), then uncomment \`${rec.name},\` in the table in src/kernels.ts and run conformance.
 */
export const ${rec.name}: Kernel<${R}, '${rec.name}'> = (rt) => {
  throw new NotImplementedError('${rec.name}', rt.backendName);
};
`;
}

export function runtimeFile(v: TemplateVars): string {
  const R = v.runtimeClass;
  return `import type { BackendMemory, BackendRuntime, DataId, DType } from '@convkit/core';

/** One buffer of tensor data: a Float32Array (float32) or an Int32Array (int32, e.g. pool indices). */
export class Data {
  constructor(
    public values: Float32Array | Int32Array,
    public readonly dtype: DType,
  ) {}
}

/**
 * The runtime of the ${v.name} backend: what every kernel in src/ops/ gets as its first argument.
 * Its BackendRuntime methods (write, zeros, read, readSync, disposeData, memory, dispose) are the
 * data side of the backend; the rest is what the kernels share. Here that is one typed array per
 * data id, with live counts for memory(). Replace it if your engine keeps data elsewhere (GPU
 * buffers, wasm memory, a worker pool): core only ever sees the opaque DataId objects.
 */
export class ${R} implements BackendRuntime {
  readonly #live = new Set<Data>();
  #bytes = 0;

  constructor(readonly backendName: string = '${v.name}') {}

  // ---- the data side of the backend -------------------------------------------------------
  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    const copy = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    return this.adopt(copy, dtype);
  }

  zeros(size: number, dtype: DType): DataId {
    return dtype === 'int32' ? this.i32(size) : this.f32(size);
  }

  read(id: DataId): Promise<Float32Array | Int32Array> {
    try {
      return Promise.resolve(this.readSync(id));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  readSync(id: DataId): Float32Array | Int32Array {
    return this.get(id).values.slice();
  }

  disposeData(id: DataId): void {
    const d = id as Data;
    if (this.#live.delete(d)) this.#bytes -= d.values.byteLength;
  }

  memory(): BackendMemory {
    return { dataIds: this.#live.size, bytes: this.#bytes };
  }

  dispose(): void {
    this.#live.clear();
    this.#bytes = 0;
  }

  // ---- for the kernels ----------------------------------------------------------------------
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
}
`;
}

/** The commented table line of op `op` in src/kernels.ts (uncommenting it adds the op). */
export const tableLine = (op: string): string => `  // ${op},`;

export function kernelsFile(v: TemplateVars): string {
  const R = v.runtimeClass;
  const ops = kernelOps();
  return `/**
 * The ${v.name} backend's kernels by op name, one file per op in ./ops (named as the op). The
 * backend's capabilities are this table's keys: core raises NotImplementedError for any op not in
 * it before calling anything, and conformance reports that op as "not implemented". Add an op once
 * its file is written by uncommenting its line, then run conformance: it must pass, not just run.
 * \`satisfies KernelTable<${R}>\` checks each kernel's signature against core's interface.
 */
import type { KernelTable } from '@convkit/core';
import type { ${R} } from './runtime.js';
${ops.map((r) => `import { ${r.name} } from './ops/${r.name}.js';`).join('\n')}

export const ${v.camel}Kernels = {
${ops.map((r) => tableLine(r.name)).join('\n')}
} satisfies KernelTable<${R}>;
`;
}

export function backendFile(v: TemplateVars): string {
  const C = v.className;
  const R = v.runtimeClass;
  return `import { defineBackend, registry as defaultRegistry, type BackendDescriptor, type Precision, type Registry } from '@convkit/core';
import { ${v.camel}Kernels } from './kernels.js';
import { ${R} } from './runtime.js';

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

/**
 * The ${v.name} backend: a runtime (src/runtime.ts) and a kernel table (src/kernels.ts, one file
 * per op in src/ops/). Its capabilities are the table's keys.
 */
export function create${C}(options: ${C}Options = {}) {
  return defineBackend({
    name: '${v.name}',
    /** The engine that really executes the kernels. Report what ran, never what was requested. */
    engine: 'js',
    precision: PRECISION,
    runtime: new ${R}('${v.name}'),
    kernels: ${v.camel}Kernels,
    extend: { options: Object.freeze({ ...options }) },
  });
}

/** The backend object create${C} returns. */
export type ${C} = ReturnType<typeof create${C}>;

/**
 * Registry descriptor. Priority 1 (below every backend of the project: js 10) so that 'auto' never
 * picks a backend that is still being written; raise it when every op passes conformance.
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
  create${v.className},
  ${v.camel}Backend,
  register,
  PRECISION,
  type ${v.className},
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
  const rows = kernelOps()
    .map((r) => `| \`${r.name}\` | \`src/ops/${r.name}.ts\` | ${r.summary.replace(/\|/g, '\\|')} | not implemented |`)
    .join('\n');
  const composites = Object.values(COMPOSITE_OPS)
    .map((r) => `\`${r.name}\` (${r.kernels.map((k) => `\`${k}\``).join(', ')})`)
    .join(', ');
  return `# ${v.pkgName}

convkit backend \`${v.name}\`. TODO: one paragraph on the engine it runs on and why one would pick it.

Scaffolded by \`pnpm create-backend ${v.name}\`: the runtime works (\`src/runtime.ts\`: Float32Array /
Int32Array storage), every op of the interface has its file in \`src/ops/\` (throwing
\`NotImplementedError\` until written), and the kernel table \`src/kernels.ts\` is empty: the
backend's capabilities are the table's keys, so every op is "not implemented" until its line is
uncommented there. The walkthrough from here to a passing conformance run is in the repository's
CONTRIBUTING.md.

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

| op | file | what | status |
|---|---|---|---|
${rows}

Update a row when its op passes conformance and has its line in \`src/kernels.ts\`. Core composes
${composites} from those kernels, so they pass once their kernels do.

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

New backend '${v.name}' (scaffolded; ops join its kernel table, src/kernels.ts, as they pass conformance).
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
    'src/runtime.ts': runtimeFile(v),
    'src/kernels.ts': kernelsFile(v),
    'src/conformance.test.ts': conformanceTestFile(v),
    'scripts/conformance.mjs': CONFORMANCE_SCRIPT,
  };
  for (const rec of kernelOps()) files[`src/ops/${rec.name}.ts`] = opFile(v, rec);
  return files;
}

/** 'wasm-simd' -> { className: 'WasmSimdBackend', runtimeClass: 'WasmSimdRuntime', camel: 'wasmSimd' } */
export function identifiers(name: string): { className: string; runtimeClass: string; camel: string } {
  const parts = name.split('-').filter(Boolean);
  const camel = parts[0]! + parts.slice(1).map(pascal).join('');
  return { className: `${pascal(camel)}Backend`, runtimeClass: `${pascal(camel)}Runtime`, camel };
}
