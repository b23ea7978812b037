/**
 * The one static HTTP server of convkit's browser tests, browser checks and benchmark: directories
 * served from 127.0.0.1 on a free port by sirv (MIME types from mrmime: .js/.mjs text/javascript,
 * .wasm application/wasm, .html text/html), cross-origin isolated by default (COOP same-origin,
 * COEP require-corp, CORP same-origin: SharedArrayBuffer for Web Workers and threaded wasm), never
 * cached (dev mode: files are read per request, so a bundle rewritten between pages is served new).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { lookup } from 'mrmime';
import sirv from 'sirv';

/** The headers that make a page cross-origin isolated (`self.crossOriginIsolated === true`). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/** A directory served under a URL prefix ('/' for the root). */
export interface Mount {
  /** URL path prefix, starting and ending with '/', e.g. '/' or '/golden/' */
  prefix: string;
  /** the directory whose files are served below the prefix */
  dir: string;
}

export interface StaticServerOptions {
  /**
   * The directories, tried in order for a request whose path starts with their prefix (the first
   * that has the file serves it; two mounts may share a prefix). Paths outside a directory are
   * not served.
   */
  mounts: readonly Mount[];
  /** send ISOLATION_HEADERS on every response, 404s included (default true) */
  crossOriginIsolated?: boolean;
  /** interface to listen on (default '127.0.0.1') */
  host?: string;
  /** port (default 0: a free one) */
  port?: number;
}

export interface StaticServer {
  /** e.g. 'http://127.0.0.1:43117' (no trailing slash) */
  origin: string;
  /** origin + '/' */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A bad option, thrown before any socket is opened. */
export class StaticServerOptionsError extends TypeError {
  override name = 'StaticServerOptionsError';
}

function checkOptions(o: StaticServerOptions): void {
  if (!o || !Array.isArray(o.mounts) || o.mounts.length === 0) throw new StaticServerOptionsError('startStaticServer: mounts must be a non-empty array of { prefix, dir }');
  for (const m of o.mounts) {
    if (typeof m?.prefix !== 'string' || !m.prefix.startsWith('/') || !m.prefix.endsWith('/')) {
      throw new StaticServerOptionsError(`startStaticServer: a mount prefix must start and end with '/', got ${JSON.stringify(m?.prefix)}`);
    }
    let isDir = false;
    try {
      isDir = typeof m.dir === 'string' && statSync(m.dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new StaticServerOptionsError(`startStaticServer: mount ${m.prefix}: ${JSON.stringify(m.dir)} is not a directory`);
  }
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port < 65536)) {
    throw new StaticServerOptionsError(`startStaticServer: port must be an integer in 0..65535, got ${o.port}`);
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** Serves the mounts (see StaticServerOptions) until close(). */
export async function startStaticServer(o: StaticServerOptions): Promise<StaticServer> {
  checkOptions(o);
  const isolated = o.crossOriginIsolated ?? true;
  const handlers: { prefix: string; serve: Handler }[] = o.mounts.map((m) => ({
    prefix: m.prefix,
    serve: sirv(resolve(m.dir), {
      dev: true,
      etag: false,
      setHeaders(res, pathname) {
        // a file whose extension has no registered type (uwnet .matrix data): bytes, not ''
        // ('/' and extension-less paths resolve to index.html / name.html: sirv types those)
        if (/\.[^/]+$/.test(pathname) && !lookup(pathname)) res.setHeader('Content-Type', 'application/octet-stream');
      },
    }) as Handler,
  }));
  const server = createServer((req, res) => {
    if (isolated) for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    res.setHeader('Cache-Control', 'no-store');
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = q < 0 ? '' : raw.slice(q);
    const tryFrom = (i: number): void => {
      for (; i < handlers.length; i++) {
        const h = handlers[i]!;
        if (!path.startsWith(h.prefix)) continue;
        req.url = '/' + path.slice(h.prefix.length) + query;
        h.serve(req, res, () => tryFrom(i + 1));
        return;
      }
      req.url = raw;
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('not found');
    };
    tryFrom(0);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const origin = `http://${host}:${addr.port}`;
  return {
    origin,
    url: `${origin}/`,
    port: addr.port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
