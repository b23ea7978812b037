// A backend package entry for the CLI test of --backend-options: a BackendDescriptor whose
// create(options) wraps the js backend and reports `options.engine` as its engine and
// `options.adapter` as its adapter, so the test sees the options arrive and the device info printed.
import { createJsBackend } from '@convkit/backend-js';

export const descriptor = {
  name: 'opts',
  priority: 1,
  probe: () => ({ available: true, reason: 'test fixture' }),
  create(options = {}) {
    const inner = createJsBackend();
    return new Proxy(inner, {
      get(t, k, r) {
        if (k === 'name') return 'opts';
        if (k === 'engine') return options.engine ?? 'no-options';
        if (k === 'adapter') return options.adapter;
        const v = Reflect.get(t, k, r);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  },
};
