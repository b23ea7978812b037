/** The demo CLIs' argument checks (parseTrainArgs / parseFilterArgs), in process. */
import { describe, expect, it } from 'vitest';
import { BACKEND_SPECS, editDistance, nearest, numberArg, parseFilterArgs, parseTrainArgs, UsageError } from './cli-args.js';
import { DEFAULT_RESNET, DEFAULT_TRAIN } from './train.js';

const usage = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('editDistance / nearest', () => {
  it('counts edits, an adjacent swap as one', () => {
    expect(editDistance('wasm', 'wasm')).toBe(0);
    expect(editDistance('wsam', 'wasm')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests the closest backend spec', () => {
    expect(nearest('wsam', BACKEND_SPECS)).toBe('wasm');
    expect(nearest('worker', BACKEND_SPECS)).toBe('workers');
    expect(nearest('gpujs:webgup', BACKEND_SPECS)).toBe('gpujs:webgpu');
    expect(nearest('JS', BACKEND_SPECS)).toBe('js');
    expect(nearest('gpu', BACKEND_SPECS)).toBe('gpujs');
  });
});

describe('numberArg', () => {
  it('accepts finite numbers in range and refuses the rest naming flag and value', () => {
    expect(numberArg('--lr', '5e-2', { min: 0, minExclusive: true })).toBe(0.05);
    expect(usage(() => numberArg('--lr', 'abc'))).toBe("--lr 'abc' is not a number");
    expect(usage(() => numberArg('--lr', ''))).toBe("--lr '' is not a number");
    expect(usage(() => numberArg('--lr', 'Infinity'))).toBe("--lr 'Infinity' is not a number");
    expect(usage(() => numberArg('--n', '2.5', { integer: true, min: 1 }))).toBe("--n '2.5' is not an integer >= 1");
    expect(usage(() => numberArg('--n', '0', { integer: true, min: 1 }))).toBe('--n 0 is out of range: expected an integer >= 1');
    expect(usage(() => numberArg('--m', '1', { min: 0, max: 1, maxExclusive: true }))).toBe('--m 1 is out of range: expected a number >= 0 and < 1');
  });
});

describe('parseTrainArgs', () => {
  it('gives the defaults with no arguments and drops a leading --', () => {
    const a = parseTrainArgs(['--']);
    expect(a.backend).toBe('js');
    expect(a.cfg).toEqual({
      model: 'cnn',
      augment: DEFAULT_TRAIN.augment,
      epochs: DEFAULT_TRAIN.epochs,
      batchSize: DEFAULT_TRAIN.batchSize,
      lr: DEFAULT_TRAIN.lr,
      momentum: DEFAULT_TRAIN.momentum,
      weightDecay: DEFAULT_TRAIN.weightDecay,
      seed: DEFAULT_TRAIN.seed,
      channels: DEFAULT_TRAIN.channels,
      hidden: DEFAULT_TRAIN.hidden,
      schedule: DEFAULT_TRAIN.schedule,
    });
    expect(a.out).toBeUndefined();
  });
  it('parses every flag', () => {
    const a = parseTrainArgs(['--backend', 'gpujs:webgpu', '--epochs', '2', '--batch', '16', '--lr', '0.1', '--momentum', '0', '--weight-decay', '0', '--seed', '7',
      '--max-steps', '30', '--schedule', 'constant', '--channels', '8,12', '--hidden', '0', '--out', 'x.html']);
    expect(a).toEqual({
      help: false,
      backend: 'gpujs:webgpu',
      out: 'x.html',
      cfg: { model: 'cnn', augment: 0, epochs: 2, batchSize: 16, lr: 0.1, momentum: 0, weightDecay: 0, seed: 7, maxSteps: 30, schedule: 'constant', channels: [8, 12], hidden: 0 },
    });
    expect(parseTrainArgs(['--model', 'cnn']).cfg).toEqual(parseTrainArgs([]).cfg);
  });
  it('--model resnet: its own defaults (Adam lr, L2, epochs, stage channels) and 2 or 3 stage channels', () => {
    const a = parseTrainArgs(['--model', 'resnet', '--backend', 'wasm']);
    expect(a.backend).toBe('wasm');
    expect(a.cfg).toMatchObject({
      model: 'resnet',
      resnetChannels: DEFAULT_RESNET.resnetChannels,
      augment: DEFAULT_RESNET.augment,
      epochs: DEFAULT_RESNET.epochs,
      lr: DEFAULT_RESNET.lr,
      weightDecay: DEFAULT_RESNET.weightDecay,
      batchSize: DEFAULT_TRAIN.batchSize,
      schedule: 'cosine',
    });
    const b = parseTrainArgs(['--model=resnet', '--channels', '4,8', '--epochs', '2', '--lr', '0.01', '--weight-decay', '0', '--max-steps', '5', '--schedule', 'constant', '--augment', '0']);
    expect(b.cfg).toMatchObject({ model: 'resnet', augment: 0, resnetChannels: [4, 8], epochs: 2, lr: 0.01, weightDecay: 0, maxSteps: 5, schedule: 'constant' });
  });
  const bad: [string[], string][] = [
    [['--epochs', 'abc'], "--epochs 'abc' is not an integer >= 1"],
    [['--epochs', '0'], '--epochs 0 is out of range: expected an integer >= 1'],
    [['--batch', '3.5'], "--batch '3.5' is not an integer >= 1"],
    [['--lr', '0'], '--lr 0 is out of range: expected a number > 0'],
    [['--lr', '-1'], "--lr needs a value; write one that starts with '-' as --lr=VALUE"],
    [['--momentum', '1.5'], '--momentum 1.5 is out of range: expected a number >= 0 and < 1'],
    [['--weight-decay=-1e-4'], '--weight-decay -1e-4 is out of range: expected a number >= 0'],
    [['--seed', 'x'], "--seed 'x' is not an integer >= 0 and <= 4294967295"],
    [['--max-steps', '0'], '--max-steps 0 is out of range: expected an integer >= 1'],
    [['--schedule', 'cosin'], "--schedule 'cosin' is not one of cosine, constant; did you mean 'cosine'?"],
    [['--channels', '16'], "--channels '16' must be two channel counts, e.g. 16,32"],
    [['--channels', '16,0'], '--channels 0 is out of range: expected an integer >= 1'],
    [['--hidden', '-'], "--hidden '-' is not an integer >= 0"],
    [['--backend', 'wsam'], "--backend 'wsam' is not one of js, workers, wasm, gpujs, gpujs:headlessgl, gpujs:webgl2, gpujs:webgl, gpujs:webgpu, gpujs:webasm, auto; did you mean 'wasm'?"],
    [['--backend', 'gpujs:cuda'], "did you mean 'gpujs'?"],
    [['--epoch', '2'], "unknown option --epoch; did you mean '--epochs'? (see --help)"],
    [['--epochs'], '--epochs needs a value'],
    [['--help=1'], '--help takes no value'],
    [['mnist'], "unexpected argument 'mnist' (this command takes only --flags; see --help)"],
    [['--out', ''], '--out needs a file name'],
    [['--model', 'resnt'], "--model 'resnt' is not one of cnn, resnet; did you mean 'resnet'?"],
    [['--model', 'vgg'], "--model 'vgg' is not one of cnn, resnet;"],
    [['--model', 'resnet', '--channels', '8'], "--channels '8' must be 2 or 3 stage channel counts for --model resnet, e.g. 8,16,32"],
    [['--model', 'resnet', '--channels', '8,16,32,64'], '--channels'],
    [['--model', 'resnet', '--channels', '8,0'], '--channels 0 is out of range: expected an integer >= 1'],
    [['--model', 'resnet', '--momentum', '0.9'], '--momentum does not apply to --model resnet'],
    [['--model', 'resnet', '--hidden', '64'], '--hidden does not apply to --model resnet'],
    [['--model', 'resnet', '--augment', '28'], '--augment 28 is out of range: expected an integer >= 0 and <= 27'],
  ];
  for (const [args, msg] of bad) it(`refuses ${args.join(' ')}`, () => expect(usage(() => parseTrainArgs(args))).toContain(msg));
});

describe('parseFilterArgs', () => {
  it('parses a single filter and --all', () => {
    expect(parseFilterArgs(['--kernel', 'sobelx', '--pad', 'reflect', '--scale', '4', '--backend', 'wasm', 'in.png', 'out.png'])).toEqual({
      help: false, kernel: 'sobelx', all: false, backend: 'wasm', pad: 'reflect', scale: 4, input: 'in.png', output: 'out.png',
    });
    expect(parseFilterArgs(['--all', 'in.jpg', 'dir'])).toEqual({ help: false, all: true, backend: 'js', pad: 'zeros', scale: 1, input: 'in.jpg', output: 'dir' });
  });
  const bad: [string[], string][] = [
    [['--kernel', 'sobelz', 'a', 'b'], "--kernel 'sobelz' is not one of box, highpass, laplace, sobelx, sobely, sharpen, emboss, magnitude, direction; did you mean 'sobelx'?"],
    [['--kernel', 'box', '--pad', 'mirror', 'a', 'b'], "--pad 'mirror' is not one of zeros, replicate, circular, reflect;"],
    [['--kernel', 'box', '--scale', '0', 'a', 'b'], '--scale 0 is out of range: expected an integer >= 1 and <= 64'],
    [['--kernel', 'box', '--backend', 'wrokers', 'a', 'b'], "did you mean 'workers'?"],
    [['--kernel', 'box', 'a'], 'expected 2 arguments (the input image and the output png), got 1: a'],
    [['--all', 'a', 'b', 'c'], 'expected 2 arguments (the input image and the output directory), got 3: a b c'],
    [['a', 'b'], '--kernel NAME (one of box, highpass'],
    [['--all', '--kernel', 'box', 'a', 'b'], 'give either --kernel NAME or --all, not both'],
    [['--kernal', 'box', 'a', 'b'], "unknown option --kernal; did you mean '--kernel'?"],
  ];
  for (const [args, msg] of bad) it(`refuses ${args.join(' ')}`, () => expect(usage(() => parseFilterArgs(args))).toContain(msg));
});
