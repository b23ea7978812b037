import { conformanceSuite } from '@convkit/conformance/vitest';
import { createWasmBackend } from './index.js';
conformanceSuite({ name: 'wasm', create: () => createWasmBackend() });
