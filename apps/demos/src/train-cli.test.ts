/** `pnpm train` (built dist/train-cli.js) as a child process: bad invocations and one tiny real run. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'train-cli.js');
const built = existsSync(cli);
const env = { ...process.env };
delete env.INIT_CWD;
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: join(here, '..'), encoding: 'utf8', env, timeout: 120_000 });

describe.skipIf(!built)(`pnpm train CLI${built ? '' : ' (skipped: dist/train-cli.js not built; run the build first)'}`, () => {
  const cases: [string[], string][] = [
    [['--epochs', 'abc'], "train: --epochs 'abc' is not an integer >= 1"],
    [['--backend', 'wsam'], "train: --backend 'wsam' is not one of js, workers, wasm, gpujs, gpujs:headlessgl, gpujs:webgl2, gpujs:webgl, gpujs:webgpu, gpujs:webasm, auto; did you mean 'wasm'?"],
    [['--lr', 'fast'], "train: --lr 'fast' is not a number"],
    [['--batch', '100000'], 'train: --batch 100000 is larger than the training set (8000 digits)'],
    [['--backend', 'gpujs:webgl2'], "train: backend 'gpujs:webgl2' cannot run here: "],
    [['--model', 'resnet50'], "train: --model 'resnet50' is not one of cnn, resnet; did you mean 'resnet'?"],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ')}: one line on stderr, exit 2, no page written`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'convkit-train-'));
      const r = run([...args, '--out', join(dir, 'page.html')]);
      expect(r.status).toBe(2);
      // our own output is one line; a gpujs probe may add native Dawn/Vulkan warnings before it, never a JS stack
      const lines = r.stderr.split('\n').filter(Boolean);
      expect(lines.filter((l) => l.startsWith('train:'))).toHaveLength(1);
      expect(lines.at(-1)!.startsWith(message)).toBe(true);
      expect(r.stderr).not.toMatch(/^\s+at .*\.(js|ts|mjs):\d+/m);
      expect(r.stdout).not.toContain('test accuracy');
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('a valid tiny run still trains the steps asked for and writes the page', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-train-'));
    const out = join(dir, 'page.html');
    const r = run(['--', '--epochs', '1', '--max-steps', '3', '--batch', '8', '--channels', '4,8', '--hidden', '0', '--out', out]);
    expect(r.stderr.split('\n').filter((l) => /error/i.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/test accuracy: \d+\.\d\d% \(3 steps, .*backend js, engine js\)/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('after 3 steps');
    expect(html).toContain('conv3x3(1-&gt;4) relu maxpool2 conv3x3(4-&gt;8) relu maxpool2 dense(392-&gt;10)');
  });

  it('--model resnet: a tiny run (3 steps) trains the small ResNet with Adam and writes the page', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-train-'));
    const out = join(dir, 'page.html');
    const r = run(['--', '--model', 'resnet', '--epochs', '1', '--max-steps', '3', '--batch', '8', '--channels', '4,8', '--out', out]);
    expect(r.stderr.split('\n').filter((l) => /error/i.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('model resnet');
    expect(r.stdout).toMatch(/test accuracy: \d+\.\d\d% \(resnet, 3 steps, .*backend js, engine js\)/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('after 3 steps');
    expect(html).toContain('stem conv3x3(1-&gt;4) bn relu, residual stages 4-8');
    expect(html).toContain('Adam lr 0.002');
  });
});
