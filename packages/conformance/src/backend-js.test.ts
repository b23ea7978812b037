// The suite on the real js backend: this is the whole "three-line" usage.
import { createJsBackend } from '@convkit/backend-js';
import { conformanceSuite } from './index.js';

conformanceSuite({ name: 'js', create: () => createJsBackend() });
