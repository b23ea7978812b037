/** `pnpm filter` (built dist/filter-cli.js) as a child process: bad invocations write nothing; flags reach the output. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '@convkit/core';
import { mulberry32 } from '@convkit/nn';
import { contextFor } from './backends.js';
import { applyFilter } from './filters.js';
import { decodeImage, encodePng, upscale, type RgbImage } from './image.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'filter-cli.js');
const built = existsSync(cli);
const env = { ...process.env };
delete env.INIT_CWD;
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: join(here, '..'), encoding: 'utf8', env, timeout: 60_000 });

describe.skipIf(!built)(`pnpm filter CLI${built ? '' : ' (skipped: dist/filter-cli.js not built; run the build first)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-filter-'));
  const r = mulberry32(11);
  const img: RgbImage = { width: 6, height: 5, data: new Float32Array(3 * 6 * 5).map(() => Math.round(r() * 255) / 255) };
  const input = join(dir, 'in.png');
  writeFileSync(input, encodePng(img));
  let ctx: Context;
  beforeAll(async () => {
    ctx = await contextFor('js');
  });
  afterAll(async () => ctx?.dispose());

  const cases: [string[], string][] = [
    [['--kernel', 'sobelz', input, 'OUT/o.png'], "filter: --kernel 'sobelz' is not one of box, highpass, laplace, sobelx, sobely, sharpen, emboss, magnitude, direction; did you mean 'sobelx'?"],
    [['--kernel', 'box', '--backend', 'wsam', input, 'OUT/o.png'], "filter: --backend 'wsam' is not one of "],
    [['--kernel', 'box', '--pad', 'reflct', input, 'OUT/o.png'], "filter: --pad 'reflct' is not one of zeros, replicate, circular, reflect; did you mean 'reflect'?"],
    [['--kernel', 'box', '--scale', 'big', input, 'OUT/o.png'], "filter: --scale 'big' is not an integer >= 1 and <= 64"],
    [['--kernel', 'box', join(dir, 'missing.png'), 'OUT/o.png'], 'filter: input image '],
    [['--kernel', 'box', join(here, '..', 'package.json'), 'OUT/o.png'], 'filter: input image '],
    [['--kernel', 'box', input, 'OUT/no-such-dir/o.png'], 'filter: the directory of the output '],
    [['--kernel', 'box', input], 'filter: expected 2 arguments (the input image and the output png), got 1'],
    [['--kernel', 'box', '--backend', 'gpujs:webgl2', input, 'OUT/o.png'], "filter: backend 'gpujs:webgl2' cannot run here: "],
  ];
  for (const [args, message] of cases) {
    it(`${args.map((a) => a.replace(dir, '$TMP')).join(' ')}: one line on stderr, exit 2, nothing written`, () => {
      const out = mkdtempSync(join(tmpdir(), 'convkit-filter-out-'));
      const res = run(args.map((a) => a.replace('OUT', out)));
      expect(res.status).toBe(2);
      // our own output is one line; a gpujs probe may add native Dawn/Vulkan warnings before it, never a JS stack
      const lines = res.stderr.split('\n').filter(Boolean);
      expect(lines.filter((l) => l.startsWith('filter:'))).toHaveLength(1);
      expect(lines.at(-1)!.startsWith(message)).toBe(true);
      expect(res.stderr).not.toMatch(/^\s+at .*\.(js|ts|mjs):\d+/m);
      expect(res.stdout).toBe('');
      expect(readdirSync(out)).toEqual([]);
    });
  }

  it('--kernel, --pad and --scale reach the written PNG (same pixels as the filter applied in process)', async () => {
    const out = join(dir, 'out.png');
    const res = run(['--', '--kernel', 'sobelx', '--pad', 'circular', '--scale', '3', input, out]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('sobelx (pad circular, backend js, engine js): 6x5');
    const got = decodeImage(readFileSync(out));
    expect([got.width, got.height]).toEqual([18, 15]);
    const want = await applyFilter(ctx, img, 'sobelx', 'circular');
    const wantPng = decodeImage(encodePng({ ...upscale(want, 3, 3), channels: 3 }));
    expect(Array.from(got.data)).toEqual(Array.from(wantPng.data));
    // and another pad mode gives other pixels at the left/right borders, so the flag was not ignored
    const other = await applyFilter(ctx, img, 'sobelx', 'zeros');
    const otherPng = decodeImage(encodePng({ ...upscale(other, 3, 3), channels: 3 }));
    expect(Array.from(got.data)).not.toEqual(Array.from(otherPng.data));
  });
});
