/**
 * Threaded tfjs-backend-wasm in Node, the fair peer of the convkit workers backend: same V8, same
 * process environment (glibc malloc settings) as every other Node row, every core.
 *
 * tfjs 4.22 does not offer it in Node, for three reasons, each handled in the child process
 * (`wasm_threads_child.ts`; a child because one process holds one tfjs-wasm build, and the Node
 * `tfjs:wasm` row is the single-threaded one):
 * - WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false when IS_NODE (tfjs issue 3830): the child
 *   sets the flag, which selects the threaded-SIMD build;
 * - its emscripten glue starts the pthread workers from Blob URLs (the worker script, and the
 *   factory's toString() as the main script), which worker_threads cannot load: the child records
 *   each Blob's text and hands emscripten a temp-file path instead, prefixed with the bundle's
 *   hoisted `require$$N` / `commonjsGlobal` definitions that the factory text refers to;
 * - XNNPACK caps its pool at logical cores / 2 (tfjs issues 4995, 6081: "many x86-64 processors
 *   have 2 threads per core"), so on 2 cores setThreadsCount(2) still gives 1 thread: the child
 *   reports twice the cores to the glue (os.cpus()) and asks for as many threads as there are cores
 *   (the browser half does the same with navigator.hardwareConcurrency).
 * The threads asked for are the cores, capped at the build's preallocated pthread pool (8 in 4.22,
 * tfjsWasmThreads below); the row reports the count XNNPACK really started (getThreadsCount()), and
 * a note when it differs from the count asked for. Its results are checked against float64 like
 * every other row.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HalfConfig, RowResult } from './bench.js';

/** The CLI's settings for the child (bench.ts HalfConfig) and the XNNPACK threads to ask for. */
export type ThreadsChildConfig = HalfConfig & { threads: number; /** the build's pthread pool size, for the note */ pool?: number };

export interface ThreadsChildResult {
  rows: RowResult[];
  skipped: { impl: string; reason: string }[];
  notes: string[];
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The pthread pool tfjs-backend-wasm's threaded build preallocates (emscripten PTHREAD_POOL_SIZE,
 * `var pthreadPoolSize = 8` in the 4.22 bundle): XNNPACK does not get more threads than that pool
 * (on a 16-core machine, 16 asked for gave 8). Read from the installed bundle; undefined when the
 * bundle does not say.
 */
export function tfjsPthreadPoolSize(): number | undefined {
  try {
    const src = readFileSync(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'), 'utf8');
    const m = /pthreadPoolSize = (\d+)/.exec(src);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The XNNPACK threads to ask for, sized the way tfjs can start them: every core, but no more than
 * the build's preallocated pthread pool.
 */
export function tfjsWasmThreads(cores: number): number {
  const pool = tfjsPthreadPoolSize();
  return Math.max(1, pool ? Math.min(cores, pool) : cores);
}

/** Runs the threaded tfjs-wasm rows in a child Node process and returns them. */
export async function runThreadedTfjsNode(cfg: ThreadsChildConfig, log: (s: string) => void): Promise<ThreadsChildResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convkit-tfjs-threads-'));
  const out = path.join(dir, 'result.json');
  try {
    const child = spawn(process.execPath, [path.join(here, 'wasm_threads_child.js'), JSON.stringify(cfg), out], {
      stdio: ['ignore', 'inherit', 'pipe'],
      env: process.env,
    });
    let tail = '';
    child.stderr.setEncoding('utf8');
    let buf = '';
    child.stderr.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('[bench] ')) log(`node-threads: ${line.slice(8)}`);
        else if (line.trim()) tail = `${tail}\n${line}`.slice(-2000);
      }
    });
    const limit = (cfg.quick ? 240 : 1800) * 1000;
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the threaded tfjs-wasm child did not finish within ${limit / 1000} s`));
      }, limit);
      child.on('error', (e) => (clearTimeout(timer), reject(e)));
      child.on('exit', (c) => (clearTimeout(timer), resolve(c)));
    });
    let text: string;
    try {
      text = readFileSync(out, 'utf8');
    } catch {
      throw new Error(`the threaded tfjs-wasm child exited with ${code} and wrote no result${tail ? `: ${tail.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    }
    return JSON.parse(text) as ThreadsChildResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
