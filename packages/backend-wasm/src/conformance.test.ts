import { conformanceSuite } from '@convkit/conformance';
import { createWasmBackend } from './index.js';
conformanceSuite({ name: 'wasm', create: () => createWasmBackend() });
