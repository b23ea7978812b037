#!/usr/bin/env node
/**
 * pnpm filter --kernel <name> --backend <name> [--pad zeros|replicate|circular|reflect] in.png|in.jpg out.png
 * pnpm filter --all --backend <name> [--pad ...] in.jpg outdir   (every filter, plus a markdown table)
 * A bad flag or value, an unknown kernel/backend/pad (the nearest valid name is suggested), a missing
 * input or output directory, or a backend that cannot start: one line on stderr, exit code 2, nothing written.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Context } from '@convkit/core';
import { contextFor } from './backends.js';
import { FILTER_USAGE, parseFilterArgs, UsageError, exitWithError, type FilterArgs } from './cli-args.js';
import { decodeImage, encodePng, upscale, type RgbImage } from './image.js';
import { applyFilter, FILTER_NAMES } from './filters.js';

/** One line on stderr; exit 2 for a bad invocation (nothing was computed or written), 1 otherwise. */
function fail(e: unknown): never {
  return exitWithError('filter', e);
}

let args: FilterArgs;
try {
  args = parseFilterArgs(process.argv.slice(2));
} catch (e) {
  fail(e);
}
if (args.help) {
  console.log(FILTER_USAGE);
  process.exit(0);
}
const { pad, scale } = args;
// `pnpm --filter @convkit/demos run filter` runs in apps/demos: resolve paths from where pnpm was called
const base = process.env.INIT_CWD ?? process.cwd();
const input = resolve(base, args.input);
const output = resolve(base, args.output);
if (!existsSync(input) || !statSync(input).isFile()) fail(new UsageError(`input image ${args.input} does not exist (${input})`));
if (args.all) {
  if (existsSync(output) && !statSync(output).isDirectory()) fail(new UsageError(`--all writes a directory, but ${args.output} is a file`));
} else {
  if (existsSync(output) && statSync(output).isDirectory()) fail(new UsageError(`output ${args.output} is a directory; give a .png file name (or use --all)`));
  if (!existsSync(dirname(output))) fail(new UsageError(`the directory of the output ${args.output} does not exist (${dirname(output)})`));
}
let img: RgbImage;
try {
  img = decodeImage(readFileSync(input));
} catch (e) {
  fail(new UsageError(`input image ${args.input}: ${(e as Error).message}`));
}
let ctx: Context;
try {
  ctx = await contextFor(args.backend);
} catch (e) {
  fail(new UsageError(`backend '${args.backend}' cannot run here: ${(e as Error).message}`));
}
const png = (r: { width: number; height: number; data: ArrayLike<number> }) => {
  const u = upscale(r, 3, scale);
  return encodePng({ ...u, channels: 3 });
};
try {
  if (args.all) {
    const dir = resolve(output);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'original.png'), png(img));
    const rows: string[] = [];
    for (const name of FILTER_NAMES) {
      const r = await applyFilter(ctx, img, name, pad);
      writeFileSync(join(dir, `${name}.png`), png(r));
      rows.push(name);
      console.log(`${name}: ${join(dir, `${name}.png`)}`);
    }
    const names = ['original', ...rows];
    const table = (prefix: string) => {
      const out: string[] = [];
      for (let i = 0; i < names.length; i += 5) {
        const part = names.slice(i, i + 5);
        out.push(`| ${part.join(' | ')} |`, `|${' --- |'.repeat(part.length)}`, `| ${part.map((n) => `![${n}](${prefix}${n}.png)`).join(' | ')} |`, '');
      }
      return out.join('\n');
    };
    const intro =
      `Classic filters on \`${basename(input)}\` (${img.width}x${img.height}), depthwise \`ctx.conv2d\` (groups = 3, 'same' padding, pad mode ${pad}), ` +
      `backend ${ctx.backendName} (engine ${ctx.engine}), shown ${scale}x enlarged (nearest neighbour). ` +
      'laplace and sobel x/y show |response| / max; magnitude is the Sobel magnitude of the RGB mean; direction colours the gradient angle as HSV hue with value = magnitude. ' +
      `Regenerate from the repo root: \`pnpm filter --all --scale ${scale} --backend ${args.backend} --pad ${pad} ../shared/golden/uwnet/dog.jpg docs/filters\`.`;
    writeFileSync(join(dir, 'README.md'), `# Filters\n\n${intro}\n\n${table('')}`);
    // the same table with paths from the repository root, for the top-level README
    writeFileSync(join(dir, 'snippet.md'), `${intro}\n\n${table('docs/filters/')}`);
    console.log(`markdown: ${join(dir, 'README.md')}`);
  } else {
    const r = await applyFilter(ctx, img, args.kernel!, pad);
    writeFileSync(output, png(r));
    console.log(`${args.kernel} (pad ${pad}, backend ${ctx.backendName}, engine ${ctx.engine}): ${img.width}x${img.height} -> ${output}`);
  }
} catch (e) {
  await ctx.dispose().catch(() => {});
  fail(e);
}
await ctx.dispose();
