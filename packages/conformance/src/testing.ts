// Test helpers: deliberately broken backends built around the js backend (not exported).
import { createJsBackend } from '@convkit/backend-js';
import type { KernelBackend, OpName } from '@convkit/core';

export function wrap(inner: KernelBackend, overrides: Partial<Record<keyof KernelBackend | 'name', unknown>>): KernelBackend {
  return new Proxy(inner, {
    get(t, k, r) {
      if (Object.prototype.hasOwnProperty.call(overrides, k)) return (overrides as Record<string | symbol, unknown>)[k];
      const v = Reflect.get(t, k, r);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  }) as KernelBackend;
}

/** conv2d adds 1e-2 to every output. */
export function offByBackend(delta = 1e-2): KernelBackend {
  const inner = createJsBackend();
  return wrap(inner, {
    name: 'off-by',
    conv2d: async (...a: Parameters<NonNullable<KernelBackend['conv2d']>>) => {
      const id = await inner.conv2d!(...a);
      const data = (await inner.read(id)) as Float32Array;
      inner.disposeData(id);
      return inner.write(data.map((v) => v + delta), 'float32');
    },
  });
}

/** Declares only gemm and relu. */
export function partialBackend(ops: OpName[] = ['gemm', 'relu']): KernelBackend {
  return wrap(createJsBackend(), { name: 'partial', capabilities: new Set(ops) });
}

/** relu allocates a scratch buffer it never frees. */
export function leakyBackend(): KernelBackend {
  const inner = createJsBackend();
  return wrap(inner, {
    name: 'leaky',
    relu: async (x: object, n: number) => {
      inner.zeros(16, 'float32');
      return inner.relu!(x as never, n);
    },
  });
}

/** maxpool returns the LAST maximum on ties (wrong tie rule), values untouched. */
export function lastTieBackend(): KernelBackend {
  const inner = createJsBackend();
  return wrap(inner, {
    name: 'last-tie',
    maxpool2d: async (xId: object, p: { N: number; C: number; inH: number; inW: number; kH: number; kW: number; strideH: number; strideW: number; padTop: number; padLeft: number; outH: number; outW: number }) => {
      const r = await inner.maxpool2d!(xId as never, p as never);
      const x = (await inner.read(xId as never)) as Float32Array;
      const idx = Int32Array.from((await inner.read(r.indices)) as Int32Array);
      for (let o = 0; o < idx.length; o++) {
        const ox = o % p.outW;
        const oy = Math.floor(o / p.outW) % p.outH;
        const nc = Math.floor(o / (p.outW * p.outH));
        for (let ky = 0; ky < p.kH; ky++)
          for (let kx = 0; kx < p.kW; kx++) {
            const iy = oy * p.strideH - p.padTop + ky;
            const ix = ox * p.strideW - p.padLeft + kx;
            if (iy < 0 || ix < 0 || iy >= p.inH || ix >= p.inW) continue;
            const i = (nc * p.inH + iy) * p.inW + ix;
            if (x[i] === x[idx[o]!]) idx[o] = i;
          }
      }
      inner.disposeData(r.indices);
      return { y: r.y, indices: inner.write(idx, 'int32') };
    },
  });
}
