import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, StaticServerOptionsError, startStaticServer, type StaticServer } from './server.js';

const WASM = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

/** A raw GET (no URL normalisation by the client, so '..' reaches the server as sent). */
function get(port: number, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('startStaticServer', () => {
  let root = '';
  let page = '';
  let data = '';
  let isolated: StaticServer;
  let plain: StaticServer;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'convkit-test-server-'));
    page = join(root, 'page');
    data = join(root, 'data');
    mkdirSync(join(page, 'sub'), { recursive: true });
    mkdirSync(data);
    writeFileSync(join(root, 'secret.txt'), 'outside');
    writeFileSync(join(page, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(page, 'a.js'), 'export const a = 1;');
    writeFileSync(join(page, 'sub', 'b.mjs'), 'export const b = 2;');
    writeFileSync(join(page, 'k.wasm'), WASM);
    writeFileSync(join(data, 'w.matrix'), '2 2\n1 2\n3 4\n');
    writeFileSync(join(data, 'a.js'), 'shadowed');
    writeFileSync(join(data, 'only-here.json'), '{"x":1}');
    const mounts = [
      { prefix: '/', dir: page },
      { prefix: '/', dir: data },
      { prefix: '/golden/', dir: data },
    ];
    isolated = await startStaticServer({ mounts });
    plain = await startStaticServer({ mounts, crossOriginIsolated: false });
  });

  afterAll(async () => {
    await isolated?.close();
    await plain?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 on a free port', () => {
    expect(isolated.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(isolated.url).toBe(`${isolated.origin}/`);
    expect(isolated.port).toBeGreaterThan(0);
    expect(plain.port).not.toBe(isolated.port);
  });

  it('serves .html, .js, .mjs and .wasm with their MIME types and the bytes on disk', async () => {
    const cases: [string, string, string | Uint8Array][] = [
      ['/', 'text/html;charset=utf-8', '<!doctype html><title>t</title>'],
      ['/index.html', 'text/html;charset=utf-8', '<!doctype html><title>t</title>'],
      ['/a.js?v=1', 'text/javascript', 'export const a = 1;'],
      ['/sub/b.mjs', 'text/javascript', 'export const b = 2;'],
      ['/k.wasm', 'application/wasm', WASM],
      ['/golden/w.matrix', 'application/octet-stream', '2 2\n1 2\n3 4\n'],
      ['/golden/only-here.json', 'application/json', '{"x":1}'],
    ];
    for (const [path, type, body] of cases) {
      const r = await get(isolated.port, path);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type'], path).toBe(type);
      expect(r.headers['cache-control'], path).toBe('no-store');
      expect(new Uint8Array(r.body), path).toEqual(typeof body === 'string' ? new Uint8Array(Buffer.from(body)) : body);
    }
  });

  it('tries mounts in order: the first directory holding the file serves it', async () => {
    expect((await get(isolated.port, '/a.js')).body.toString()).toBe('export const a = 1;');
    expect((await get(isolated.port, '/only-here.json')).body.toString()).toBe('{"x":1}');
  });

  it('sends COOP/COEP/CORP on every response, 404s included, unless told not to', async () => {
    for (const path of ['/', '/k.wasm', '/missing.js']) {
      const r = await get(isolated.port, path);
      for (const [k, v] of Object.entries(ISOLATION_HEADERS)) expect(r.headers[k.toLowerCase()], `${path} ${k}`).toBe(v);
      const p = await get(plain.port, path);
      for (const k of Object.keys(ISOLATION_HEADERS)) expect(p.headers[k.toLowerCase()], `${path} ${k}`).toBeUndefined();
    }
    expect(ISOLATION_HEADERS['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(ISOLATION_HEADERS['Cross-Origin-Embedder-Policy']).toBe('require-corp');
  });

  it('answers 404 for missing files and paths outside the directories', async () => {
    for (const path of ['/missing.js', '/../secret.txt', '/golden/../../secret.txt', '/%2e%2e/secret.txt', '/sub/']) {
      const r = await get(isolated.port, path);
      expect(r.status, path).toBe(404);
      expect(r.body.toString(), path).not.toContain('outside');
    }
  });

  it('rejects bad options before opening a socket', async () => {
    await expect(startStaticServer({ mounts: [] })).rejects.toThrow(StaticServerOptionsError);
    await expect(startStaticServer({ mounts: [{ prefix: 'golden/', dir: root }] })).rejects.toThrow(/must start and end with '\/'/);
    await expect(startStaticServer({ mounts: [{ prefix: '/', dir: join(root, 'nope') }] })).rejects.toThrow(/is not a directory/);
    await expect(startStaticServer({ mounts: [{ prefix: '/', dir: join(root, 'secret.txt') }] })).rejects.toThrow(/is not a directory/);
    await expect(startStaticServer({ mounts: [{ prefix: '/', dir: root }], port: 70000 })).rejects.toThrow(/port must be/);
  });
});
