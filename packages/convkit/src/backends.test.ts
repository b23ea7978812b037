/**
 * registerAll / createContext in the workspace (every backend package installed), and the
 * skipping rules on stand-in packages: a missing one, one whose import fails (as gpujs would with
 * a native part that does not load), one that exports no descriptor.
 */
import { describe, expect, it } from 'vitest';
import { Registry, BackendUnavailableError, type BackendDescriptor } from '@convkit/core';
import { jsBackend } from '@convkit/backend-js';
import { createContext, registerAll, probeBackends, BACKEND_PACKAGES, Tensor } from '../dist/index.js';
import { registerPackages, type BackendPackage } from '../dist/backends.js';

/** 1-channel 4x4 image * 2x2 kernel, 'valid', float64 loop. */
function conv64(x: number[], w: number[]): number[] {
  const out: number[] = [];
  for (let y = 0; y < 3; y++)
    for (let xx = 0; xx < 3; xx++) {
      let s = 0;
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) s += x[(y + i) * 4 + xx + j]! * w[i * 2 + j]!;
      out.push(s);
    }
  return out;
}
const X = [0.5, -1, 2, 3, 1.25, 0, -0.5, 4, 2, 2, 1, -3, 0.75, 1, 1, 0];
const W = [1, -2, 0.5, 3];

describe('registerAll', () => {
  it('registers js, wasm, workers and gpujs when installed, once per registry', async () => {
    const reg = new Registry();
    const r = await registerAll(reg);
    expect(r.map((i) => [i.name, i.registered])).toEqual([
      ['js', true],
      ['wasm', true],
      ['workers', true],
      ['gpujs', true],
    ]);
    expect(reg.names().sort()).toEqual(['gpujs', 'js', 'wasm', 'workers']);
    expect(await registerAll(reg)).toBe(r);
    expect(BACKEND_PACKAGES.map((p) => [p.package, p.optional])).toEqual([
      ['@convkit/backend-js', false],
      ['@convkit/backend-wasm', false],
      ['@convkit/backend-workers', false],
      ['@convkit/backend-gpujs', true],
    ]);
  });

  it('skips a missing package, one whose import fails and one without a descriptor, with the reasons; registers the rest', async () => {
    const reg = new Registry();
    const pkgs: BackendPackage[] = [
      BACKEND_PACKAGES[0]!,
      { name: 'ghost', package: '@convkit/backend-ghost', optional: true, load: () => import(/* @vite-ignore */ ['@convkit', 'backend-ghost'].join('/')) },
      {
        name: 'native',
        package: '@convkit/backend-native',
        optional: true,
        load: () => Promise.reject(new Error("the 'gl' package (headless-gl) failed to load: libGL.so.1: cannot open shared object file")),
      },
      { name: 'empty', package: '@convkit/backend-js', optional: true, load: () => Promise.resolve({ not: 'a descriptor' }) },
    ];
    const r = await registerPackages(reg, pkgs);
    expect(r[0]).toEqual({ name: 'js', package: '@convkit/backend-js', optional: false, registered: true });
    expect(r[1]).toEqual({
      name: 'ghost',
      package: '@convkit/backend-ghost',
      optional: true,
      registered: false,
      reason: expect.stringMatching(/^@convkit\/backend-ghost is not installed \(Cannot find (package|module) '@convkit\/backend-ghost'/),
    });
    expect(r[2]!.reason).toBe("@convkit/backend-native failed to load: the 'gl' package (headless-gl) failed to load: libGL.so.1: cannot open shared object file");
    expect(r[3]!.reason).toBe("@convkit/backend-js does not export a backend descriptor named 'empty'");
    expect(reg.names()).toEqual(['js']);
  });
});

describe('createContext', () => {
  it("'auto' registers everything and runs on the best backend that starts; the numbers match float64", async () => {
    const reg = new Registry();
    const ctx = await createContext({ backend: 'auto', registry: reg });
    expect(reg.names().sort()).toEqual(['gpujs', 'js', 'wasm', 'workers']);
    const st = await probeBackends(reg);
    const best = st.find((s) => s.available)!;
    expect(ctx.backendName).toBe(best.name);
    expect(ctx.selection).toMatchObject({ requested: 'auto', chosen: best.name });
    const y = await ctx.conv2d(ctx.tensor(X, [1, 1, 4, 4]), ctx.tensor(W, [1, 1, 2, 2]), { padding: 'valid' });
    expect(y).toBeInstanceOf(Tensor); // core's classes are re-exported, the same ones
    const got = Array.from(await y.read());
    conv64(X, W).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    await ctx.dispose();
  });

  it('a name or an ordered preference works as in core, on the registered backends', async () => {
    const reg = new Registry();
    const js = await createContext({ backend: 'js', registry: reg });
    expect(js.engine).toBe('js');
    await js.dispose();
    const list = await createContext({ backend: ['nope', 'wasm', 'js'], registry: reg });
    expect(list.backendName).toBe('wasm');
    expect(list.selection.attempts[0]).toMatchObject({ name: 'nope', outcome: 'skipped' });
    const got = Array.from(await (await list.conv2d(list.tensor(X, [1, 1, 4, 4]), list.tensor(W, [1, 1, 2, 2]), { padding: 'valid' })).read());
    conv64(X, W).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    await list.dispose();
  });

  it('keeps backends registered by hand and refuses an unknown one with the registered names', async () => {
    const reg = new Registry();
    const mine: BackendDescriptor = { ...jsBackend, name: 'mine', priority: 1 };
    reg.register(mine);
    const ctx = await createContext({ backend: 'mine', registry: reg });
    expect(ctx.backendName).toBe('js'); // the js backend under another descriptor name
    await ctx.dispose();
    await expect(createContext({ backend: 'nope', registry: reg })).rejects.toThrow(BackendUnavailableError);
    await expect(createContext({ backend: 'nope', registry: reg })).rejects.toThrow(/backend 'nope' is not registered \(registered: mine, js, wasm, workers, gpujs\)/);
  });
});
