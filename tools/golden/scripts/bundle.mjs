// Bundles the generator with tfjs-core's ESM sources, so that tfjs-core (including its gradient
// registrations, which exist only as extension-less ESM files) and tfjs-backend-cpu share ONE
// instance. Output: dist/generate.mjs (run with node).
import { build } from 'esbuild';
await build({
  entryPoints: ['dist/cli.js'],
  outfile: 'dist/generate.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
