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

function usageExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## Usage\s*$/m)[1];
  if (!section) throw new Error('README.md has no "## Usage" section');
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md "## Usage" has no ```ts block');
  return m[1]!;
}

describe('README usage example', () => {
  it('runs as written and prints the shapes, the backend, the engine and the pooled values', () => {
    const code = usageExample();
    // the example is plain JavaScript apart from the fence's language tag: run it as an ES module
    const out = join(here, '..', 'out');
    mkdirSync(out, { recursive: true });
    const file = join(out, 'readme-example.mjs');
    writeFileSync(file, code);
    const stdout = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
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
