/** Node side: the golden set shipped in this package (read with fs) and the uwnet data (../shared). */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findUwnetDir } from '@convkit/reference';
import { GoldenStore, type CaseFilter, type GoldenCase, type GoldenManifest, type ReadUwnet } from './format.js';
import { setDefaultStore } from './runner.js';

/** Absolute path of the golden/ directory shipped with this package. */
export function goldenDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
}

/** Reads uwnet .matrix files from ../shared/golden/uwnet (CONVKIT_SHARED overrides), or null when absent. */
export function nodeUwnetReader(): ReadUwnet | null {
  const dir = findUwnetDir();
  if (!dir) return null;
  return async (name) => {
    try {
      return new Uint8Array(await readFile(join(dir, `${name}.matrix`)));
    } catch {
      return null;
    }
  };
}

let cached: GoldenStore | null = null;

/** The package's golden set (manifest read synchronously, .bin files lazily). */
export function nodeStore(): GoldenStore {
  if (!cached) {
    const dir = goldenDir();
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as GoldenManifest;
    cached = new GoldenStore(manifest, async (rel) => new Uint8Array(await readFile(join(dir, rel))), nodeUwnetReader());
  }
  return cached;
}

setDefaultStore(() => nodeStore());

/** The golden cases (metadata; arrays load when a case runs). */
export function listCases(filter?: CaseFilter): GoldenCase[] {
  return nodeStore().listCases(filter);
}
