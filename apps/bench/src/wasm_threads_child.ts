/**
 * Child process of wasm_threads.ts: loads tfjs-backend-wasm's threaded-SIMD build in Node (see
 * there for why each shim is needed), runs the selected workloads on it with the same runBench as
 * every other row, and writes { rows, skipped, notes } as JSON to the file named by argv[3].
 * argv[2]: the ThreadsChildConfig as JSON. Progress goes to stderr as "[bench] ..." lines.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { runHalf } from './bench.js';
import { loadTf, tfjsImpls } from './tfjs.js';
import type { ThreadsChildConfig, ThreadsChildResult } from './wasm_threads.js';

const require = createRequire(import.meta.url);
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

/** The bundle's top-level `var require$$N = require('x');` and commonjsGlobal, for the factory text. */
function prelude(): string {
  const src = readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm'), 'utf8');
  const reqs = [...src.matchAll(/^var (require\$\$\d+) = require\('([^']+)'\);$/gm)].map((m) => `var ${m[1]}=require(${JSON.stringify(m[2])});`);
  return `${reqs.join('')}var commonjsGlobal=globalThis;\n`;
}

interface TextBlob extends Blob {
  convkitText?: string;
}

/** Installs the shims; returns a function that removes the ones outside the glue's own objects. */
function installShims(tmp: string): () => void {
  const pre = prelude();
  let n = 0;
  const toFile = (text: string) => {
    const f = path.join(tmp, `script-${n++}.js`);
    writeFileSync(f, pre + text);
    return f;
  };
  const RealBlob = globalThis.Blob;
  class RecordingBlob extends RealBlob {
    convkitText: string;
    constructor(parts: BlobPart[], opts?: BlobPropertyBag) {
      super(parts, opts);
      this.convkitText = parts.map((p) => (typeof p === 'string' ? p : '')).join('');
    }
  }
  globalThis.Blob = RecordingBlob as typeof Blob;
  const realCreate = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (b: Blob) => ((b as TextBlob).convkitText !== undefined ? toFile((b as TextBlob).convkitText!) : realCreate(b));
  // emscripten posts Module.mainScriptUrlOrBlob to each pthread worker: a path it can importScripts
  Object.defineProperty(Object.prototype, 'mainScriptUrlOrBlob', {
    configurable: true,
    set(this: object, v: unknown) {
      const value = v && (v as TextBlob).convkitText !== undefined ? toFile((v as TextBlob).convkitText!) : v;
      Object.defineProperty(this, 'mainScriptUrlOrBlob', { value, writable: true, enumerable: true, configurable: true });
    },
  });
  // XNNPACK's pool is capped at logical cores / 2 (see wasm_threads.ts)
  const realCpus = os.cpus;
  os.cpus = () => {
    const c = realCpus();
    return [...c, ...c];
  };
  return () => {
    delete (Object.prototype as { mainScriptUrlOrBlob?: unknown }).mainScriptUrlOrBlob;
    globalThis.Blob = RealBlob;
    URL.createObjectURL = realCreate;
    os.cpus = realCpus;
  };
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2]!) as ThreadsChildConfig;
  const outFile = process.argv[3]!;
  const result: ThreadsChildResult = { rows: [], skipped: [], notes: [] };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'convkit-tfjs-glue-'));
  try {
    const tf = await loadTf();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    const remove = installShims(tmp);
    let peer;
    try {
      [peer] = await tfjsImpls({ cpu: false, threads: cfg.threads });
    } finally {
      remove();
    }
    const impl = peer?.impl;
    const got = impl?.threads ?? 0;
    if (!impl) {
      result.skipped.push({ impl: 'tfjs:wasm-threads', reason: peer?.skipped ?? 'tfjs-wasm did not load' });
    } else if (!cfg.impl || new RegExp(cfg.impl).test(impl.id)) {
      log(`implementations: ${impl.id} [${impl.engine}]`);
      result.rows = await runHalf(cfg, [impl], log);
      await impl.dispose();
      result.notes.push(
        `tfjs:wasm-threads: the threaded-SIMD build in a child Node process with ${got} XNNPACK thread(s)${got !== cfg.threads ? ` (${cfg.threads} asked for)` : ''}: the cores, capped at the build's preallocated pthread pool (${cfg.pool ?? 'unknown'}); tfjs turns threads off in Node, the shims that start it are described in apps/bench/src/wasm_threads.ts.`,
      );
    }
  } catch (e) {
    result.skipped.push({ impl: 'tfjs:wasm-threads', reason: `the threaded build did not start in Node: ${(e as Error)?.message ?? String(e)}`.split('\n')[0]! });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  writeFileSync(outFile, JSON.stringify(result));
  // the glue's pthread workers keep the event loop alive
  process.exit(0);
}

void main();
