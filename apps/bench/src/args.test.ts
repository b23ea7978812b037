import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { filterOf, parseBenchArgs, UsageError } from './args.js';

const parse = (...a: string[]) => parseBenchArgs(a, '/tmp/default-out');
const err = (...a: string[]) => {
  try {
    parse(...a);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${a.join(' ')}`);
};

describe('bench arguments (node:util parseArgs)', () => {
  it('defaults, and pnpm\'s lone -- is ignored', () => {
    const a = parse('--');
    expect(a).toMatchObject({ quick: false, reps: 7, warmup: 1, warmupMs: 1000, minTimeMs: 2000, samples: 256, rowBudget: 30, repeat: 1, baseline: 'tfjs:wasm-threads', peers: true, browser: true, out: '/tmp/default-out' });
    expect(a.only).toBeUndefined();
    expect(filterOf(a)).toBeUndefined();
  });

  it('reads every flag', () => {
    const a = parse('--quick', '--reps', '3', '--warmup', '2', '--warmup-ms', '12.5', '--min-time-ms', '0', '--samples', '9', '--only', '^conv-A$', '--impl', 'js|tfjs', '--row-budget', '5', '--repeat', '4', '--baseline', 'convkit:js', '--no-peers', '--no-browser', '--out', 'rel/dir', '--json', 'x.json');
    expect(a).toMatchObject({ quick: true, reps: 3, warmup: 2, warmupMs: 12.5, minTimeMs: 0, samples: 9, rowBudget: 5, repeat: 4, baseline: 'convkit:js', peers: false, browser: false, out: path.resolve('rel/dir'), json: path.resolve('x.json') });
    expect(a.only!.test('conv-A')).toBe(true);
    expect(a.only!.test('conv-A-bwd')).toBe(false);
    expect(filterOf(a)).toEqual({ only: '^conv-A$', impl: 'js|tfjs' });
  });

  it('names the flag and the value of a non-number', () => {
    expect(err('--warmup-ms', 'abc')).toBe("--warmup-ms: 'abc' is not a number");
    expect(err('--reps', '')).toBe("--reps: '' is not a number");
    expect(err('--repeat', '2.5')).toBe("--repeat: '2.5' is not a whole number");
    expect(err('--repeat', '0')).toBe('--repeat: 0 is below the minimum 1');
    expect(err('--reps', '3')).toBe('--reps: 3 is below the minimum 7');
    expect(parse('--quick', '--reps', '3').reps).toBe(3);
  });

  it('reports a bad regex, an unknown flag and a missing value on one line', () => {
    const m = err('--only', 'conv-(');
    expect(m).toMatch(/^--only: 'conv-\(' is not a valid regular expression \(.*Unterminated group\)$/);
    expect(err('--impl', '[')).toMatch(/^--impl: '\[' is not a valid regular expression/);
    expect(err('--bogus')).toMatch(/^Unknown option '--bogus'/);
    expect(err('--reps')).toMatch(/--reps/);
    for (const x of [m, err('--bogus'), err('--reps')]) expect(x).not.toContain('\n');
  });
});
