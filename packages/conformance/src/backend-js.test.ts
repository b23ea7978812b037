// The suite on the real js backend: this is the whole "three-line" usage.
import { createJsBackend } from '@convkit/backend-js';
import { conformanceSuite } from './vitest.js';

conformanceSuite({ name: 'js', create: () => createJsBackend() });
