/**
 * The root README's usage example runs as written: its ```ts block under "## Usage" is copied
 * verbatim into a module beside this package (so that @convkit/core and @convkit/backend-js resolve
 * as they would in a user's project) and run with node. The numbers it prints are checked against
 * values worked out by hand from the definitions (not against convkit).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

/** The ```ts blocks of the README's "## Usage" section, in order. */
function usageExamples(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## Usage\s*$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error('README.md has no "## Usage" section');
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (blocks.length !== 2) throw new Error(`README.md "## Usage" should have 2 \`\`\`ts blocks (convkit, then per package), found ${blocks.length}`);
  return blocks;
}

/** Runs a block as an ES module beside this package, so workspace packages resolve as in a user's project. */
function run(code: string, name: string): string {
  // the example is plain JavaScript apart from the fence's language tag: run it as an ES module
  const out = join(here, '..', 'out');
  mkdirSync(out, { recursive: true });
  const file = join(out, name);
  writeFileSync(file, code);
  return execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
}

describe('README usage example', () => {
  it("the one-install example (package 'convkit') picks a backend, says how, and multiplies right", () => {
    const stdout = run(usageExamples()[0]!, 'readme-convkit.mjs');
    const [first, ...rest] = stdout.trim().split('\n');
    // '<chosen> <name>: <outcome>, ...' with the chosen backend among the attempts, marked chosen
    const chosen = first!.split(' ')[0]!;
    expect(['js', 'wasm', 'workers', 'gpujs']).toContain(chosen);
    expect(first).toContain(`${chosen}: chosen`);
    // [[1, 2], [3, 4]]^2 = [[7, 10], [15, 22]]
    const printed = /\[([^\]]*)\]/.exec(rest.join(' '))![1]!;
    expect(printed.split(',').map(Number)).toEqual([7, 10, 15, 22]);
  });

  it('runs as written and prints the shapes, the backend, the engine and the pooled values', () => {
    const stdout = run(usageExamples()[1]!, 'readme-example.mjs');
    const lines = stdout.trim().split('\n');
    // y = conv2d of x = 0.5 everywhere with w = 0.1 everywhere, 3x3 'same', 3 channels, zero bias:
    // 27 taps in the interior (1.35), 18 on an edge (0.9), 12 in a corner (0.6). Each 2x2 pooling
    // window of the first output row holds an interior pixel (row 1, a column in 1..30), so max = 1.35.
    expect(lines[0]).toBe("[ 2, 8, 16, 16 ] js js");
    const nums = stdout.match(/-?\d+\.\d+(e-?\d+)?/g)!.map(Number);
    expect(nums.length).toBe(4);
    for (const v of nums) expect(Math.abs(v - 1.35)).toBeLessThan(1e-5);
  });
});
