// A deliberately wrong backend package entry for the CLI test: conv2d adds 1e-2.
// Convention: the default export is a factory returning a KernelBackend.
import { createJsBackend } from '@convkit/backend-js';

export default function createWrong() {
  const inner = createJsBackend();
  return new Proxy(inner, {
    get(t, k, r) {
      if (k === 'name') return 'wrong';
      if (k === 'conv2d')
        return async (...a) => {
          const id = await inner.conv2d(...a);
          const d = await inner.read(id);
          inner.disposeData(id);
          return inner.write(d.map((v) => v + 1e-2), 'float32');
        };
      const v = Reflect.get(t, k, r);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}
