#!/usr/bin/env node
/**
 * pnpm filter --kernel <name> --backend <name> [--pad zeros|replicate|circular|reflect] in.png|in.jpg out.png
 * pnpm filter --all --backend <name> [--pad ...] in.jpg outdir   (every filter, plus a markdown table)
 */
import { parseArgs } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { PadMode } from '@convkit/core';
import { contextFor } from './backends.js';
import { decodeImage, encodePng, upscale } from './image.js';
import { applyFilter, FILTER_NAMES } from './filters.js';

// `pnpm run x -- args` hands the script a literal '--' first: drop it
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
const { values, positionals } = parseArgs({
  args: argv,
  options: {
    kernel: { type: 'string' },
    backend: { type: 'string', default: 'js' },
    pad: { type: 'string', default: 'zeros' },
    all: { type: 'boolean', default: false },
    scale: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: true,
});

const usage =
  `usage: pnpm filter --kernel <${FILTER_NAMES.join('|')}> --backend <js|workers|gpujs|gpujs:mode> [--pad zeros|replicate|circular|reflect] in.(png|jpg) out.png\n` +
  '       pnpm filter --all --backend <name> [--pad mode] in.(png|jpg) outdir [--scale n]   (writes every filter and a README.md table)';
if (values.help || positionals.length !== 2 || (!values.all && !values.kernel)) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}
const pad = values.pad as PadMode;
if (!['zeros', 'replicate', 'circular', 'reflect'].includes(pad)) {
  console.error(`bad --pad '${pad}'\n${usage}`);
  process.exit(2);
}
// `pnpm --filter @convkit/demos run filter` runs in apps/demos: resolve paths from where pnpm was called
const base = process.env.INIT_CWD ?? process.cwd();
const [input, output] = (positionals as [string, string]).map((p) => resolve(base, p)) as [string, string];
const scale = Number(values.scale);
const png = (r: { width: number; height: number; data: ArrayLike<number> }) => {
  const u = upscale(r, 3, scale);
  return encodePng({ ...u, channels: 3 });
};
const img = decodeImage(readFileSync(input));
const ctx = await contextFor(values.backend!);
try {
  if (values.all) {
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
      `Regenerate from the repo root: \`pnpm filter --all --scale ${scale} --backend ${values.backend} --pad ${pad} ../shared/golden/uwnet/dog.jpg docs/filters\`.`;
    writeFileSync(join(dir, 'README.md'), `# Filters\n\n${intro}\n\n${table('')}`);
    // the same table with paths from the repository root, for the top-level README
    writeFileSync(join(dir, 'snippet.md'), `${intro}\n\n${table('docs/filters/')}`);
    console.log(`markdown: ${join(dir, 'README.md')}`);
  } else {
    const r = await applyFilter(ctx, img, values.kernel!, pad);
    writeFileSync(output, png(r));
    console.log(`${values.kernel} (pad ${pad}, backend ${ctx.backendName}, engine ${ctx.engine}): ${img.width}x${img.height} -> ${output}`);
  }
} finally {
  await ctx.dispose();
}
