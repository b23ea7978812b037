// The shared golden case set of @convkit/conformance against this backend (default tolerance:
// atol = rtol = 1e-4 scaled by reduction length, matching JS_PRECISION).
//
// @convkit/conformance lists @convkit/backend-js as a devDependency (for its own tests and CLI), so
// listing it here too would make a package cycle that turbo rejects. It is therefore loaded from
// the sibling package's build output (the root `pnpm test` builds every package first).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from './index.js';

const entry = new URL('../../conformance/dist/vitest.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  throw new Error(
    `@convkit/conformance is not built (${fileURLToPath(entry)} missing): run \`pnpm --filter @convkit/conformance build\` (the root \`pnpm test\` does)`,
  );
}
const { conformanceSuite } = (await import(entry.href)) as {
  conformanceSuite: (o: { name: string; create: () => ReturnType<typeof createJsBackend> }) => void;
};

conformanceSuite({ name: 'js', create: () => createJsBackend() });
