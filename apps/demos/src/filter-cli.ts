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
import { decodeImage, encodePng } from './image.js';
import { applyFilter, FILTER_NAMES } from './filters.js';

const { values, positionals } = parseArgs({
  options: {
    kernel: { type: 'string' },
    backend: { type: 'string', default: 'js' },
    pad: { type: 'string', default: 'zeros' },
    all: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: true,
});

const usage =
  `usage: pnpm filter --kernel <${FILTER_NAMES.join('|')}> --backend <js|workers|gpujs|gpujs:mode> [--pad zeros|replicate|circular|reflect] in.(png|jpg) out.png\n` +
  '       pnpm filter --all --backend <name> [--pad mode] in.(png|jpg) outdir';
if (values.help || positionals.length !== 2 || (!values.all && !values.kernel)) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}
const pad = values.pad as PadMode;
if (!['zeros', 'replicate', 'circular', 'reflect'].includes(pad)) {
  console.error(`bad --pad '${pad}'\n${usage}`);
  process.exit(2);
}
const [input, output] = positionals as [string, string];
const img = decodeImage(readFileSync(input));
const ctx = await contextFor(values.backend!);
try {
  if (values.all) {
    const dir = resolve(output);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'original.png'), encodePng(img));
    const rows: string[] = [];
    for (const name of FILTER_NAMES) {
      const r = await applyFilter(ctx, img, name, pad);
      writeFileSync(join(dir, `${name}.png`), encodePng({ width: r.width, height: r.height, data: r.data, channels: 3 }));
      rows.push(name);
      console.log(`${name}: ${join(dir, `${name}.png`)}`);
    }
    const cell = (n: string) => `![${n}](${n}.png)`;
    const md = [
      `Classic filters on \`${basename(input)}\` (${img.width}x${img.height}), depthwise \`ctx.conv2d\` (groups = 3, 'same' padding, pad mode ${pad}), backend ${ctx.backendName} (engine ${ctx.engine}). Regenerate: \`pnpm filter --all --backend ${values.backend} ${input} docs/filters\`.`,
      '',
      `| original | ${rows.join(' | ')} |`,
      `|${' --- |'.repeat(rows.length + 1)}`,
      `| ${cell('original')} | ${rows.map(cell).join(' | ')} |`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'README.md'), md);
    console.log(`markdown: ${join(dir, 'README.md')}`);
  } else {
    const r = await applyFilter(ctx, img, values.kernel!, pad);
    writeFileSync(output, encodePng({ width: r.width, height: r.height, data: r.data, channels: 3 }));
    console.log(`${values.kernel} (pad ${pad}, backend ${ctx.backendName}, engine ${ctx.engine}): ${img.width}x${img.height} -> ${output}`);
  }
} finally {
  await ctx.dispose();
}
