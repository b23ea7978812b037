import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, run } from './pack.js';

/**
 * Hand-computed results the installed packages must reproduce (CONVENTIONS.md worked examples):
 * the 7x7 image * 3x3 X-shaped kernel (valid) and the 1-D [-1 2 -1] filter, plus a 3x3 box of ones
 * over a 3x3 image of ones with 'same' padding and bias 0.5 (corner 4 + 0.5, edge 6 + 0.5, centre 9 + 0.5).
 */
export const HAND = {
  conv2dValid: {
    image: [
      [0, 1, 1, 1, 0, 0, 0],
      [0, 0, 1, 1, 1, 0, 0],
      [0, 0, 0, 1, 1, 1, 0],
      [0, 0, 0, 1, 1, 0, 0],
      [0, 0, 1, 1, 0, 0, 0],
      [0, 1, 1, 0, 0, 0, 0],
      [1, 1, 0, 0, 0, 0, 0],
    ],
    kernel: [
      [1, 0, 1],
      [0, 1, 0],
      [1, 0, 1],
    ],
    expected: [
      [1, 4, 3, 4, 1],
      [1, 2, 4, 3, 3],
      [1, 2, 3, 4, 1],
      [1, 3, 3, 1, 1],
      [3, 3, 1, 1, 0],
    ],
  },
  conv1dValid: {
    signal: [0, 1, 2, 3, 2, 5, 6, 7, 8, 14, 10, 11, 12, 8, 14],
    filter: [-1, 2, -1],
    expected: [0, 0, 2, -4, 2, 0, 0, -5, 10, -5, 0, 5, -10],
  },
  conv2dSameBias: {
    expected: [
      [4.5, 6.5, 4.5],
      [6.5, 9.5, 6.5],
      [4.5, 6.5, 4.5],
    ],
  },
} as const;

/** The consumer script: imports only the published entry points, prints JSON. */
export const SMOKE_SCRIPT = `import { Registry, createContext, NotImplementedError } from '@convkit/core';
import { jsBackend } from '@convkit/backend-js';

const hand = JSON.parse(process.argv[2]);
const registry = new Registry().register(jsBackend);
const ctx = await createContext({ backend: 'js', registry });
const flat = (rows) => rows.flat();

const a = hand.conv2dValid;
const y1 = await ctx.conv2d(ctx.tensor(flat(a.image), [1, 1, 7, 7]), ctx.tensor(flat(a.kernel), [1, 1, 3, 3]), { padding: 'valid' });
const c = hand.conv1dValid;
const y2 = await ctx.conv1d(ctx.tensor(c.signal, [1, 1, c.signal.length]), ctx.tensor(c.filter, [1, 1, 3]), { padding: 'valid' });
const y3 = await ctx.conv2d(ctx.tensor(new Array(9).fill(1), [1, 1, 3, 3]), ctx.tensor(new Array(9).fill(1), [1, 1, 3, 3]), {
  bias: ctx.tensor([0.5], [1]),
});
console.log(JSON.stringify({
  backend: ctx.backendName,
  engine: ctx.engine,
  notImplementedIsExported: typeof NotImplementedError === 'function',
  conv2dValid: { shape: y1.shape, values: Array.from(await y1.read()) },
  conv1dValid: { shape: y2.shape, values: Array.from(await y2.read()) },
  conv2dSameBias: { shape: y3.shape, values: Array.from(await y3.read()) },
}));
await ctx.dispose();
`;

export interface SmokeResult {
  backend: string;
  engine: string;
  notImplementedIsExported: boolean;
  conv2dValid: { shape: number[]; values: number[] };
  conv1dValid: { shape: number[]; values: number[] };
  conv2dSameBias: { shape: number[]; values: number[] };
}

/** Runs the consumer script in an npm project where @convkit/core and @convkit/backend-js are installed. */
export function runSmoke(projectDir: string): SmokeResult {
  writeFileSync(join(projectDir, 'smoke.mjs'), SMOKE_SCRIPT);
  const out = run(process.execPath, ['smoke.mjs', JSON.stringify(HAND)], projectDir, childEnv());
  return JSON.parse(out.trim().split('\n').pop()!) as SmokeResult;
}

/** Differences between a smoke result and the hand-computed values (exact: these are small integers and halves). */
export function compareSmoke(r: SmokeResult): string[] {
  const bad: string[] = [];
  const eq = (name: string, got: { shape: number[]; values: number[] }, shape: number[], want: readonly number[]) => {
    if (JSON.stringify(got.shape) !== JSON.stringify(shape)) bad.push(`${name}: shape ${JSON.stringify(got.shape)}, expected ${JSON.stringify(shape)}`);
    want.forEach((w, i) => {
      if (Math.abs(got.values[i]! - w) > 1e-6) bad.push(`${name}[${i}] = ${got.values[i]}, expected ${w}`);
    });
    if (got.values.length !== want.length) bad.push(`${name}: ${got.values.length} values, expected ${want.length}`);
  };
  eq('conv2d valid (CONVENTIONS worked example)', r.conv2dValid, [1, 1, 5, 5], HAND.conv2dValid.expected.flat());
  eq('conv1d valid (CONVENTIONS worked example)', r.conv1dValid, [1, 1, 13], HAND.conv1dValid.expected);
  eq("conv2d 'same' + bias", r.conv2dSameBias, [1, 1, 3, 3], HAND.conv2dSameBias.expected.flat());
  if (r.engine !== 'js' || r.backend !== 'js') bad.push(`ran on ${r.backend}/${r.engine}, expected js/js`);
  if (!r.notImplementedIsExported) bad.push('NotImplementedError is not exported by @convkit/core');
  return bad;
}
