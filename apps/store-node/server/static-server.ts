import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Provisioning } from '../shared/provisioning.js';

export interface StaticServerOptions {
  /** The built renderer (`dist/`). */
  readonly dir: string;
  /** TCP port. Keep it fixed: IndexedDB is per origin, port included. */
  readonly port: number;
  /** Interface to listen on. Default 127.0.0.1 (a store PC serving its own browser). */
  readonly host?: string;
  /** Served as `/config.json`: what a terminal adopts at first run. */
  readonly provisioning: Provisioning;
}

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
  res.end(body);
};

/** A file under `dir` for the URL path, or null (outside `dir`, missing, not a file). */
const fileFor = async (dir: string, urlPath: string): Promise<string | null> => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const path = normalize(join(dir, decoded));
  if (path !== dir && !path.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return null;
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? path : null;
};

/**
 * Serves the built renderer and `/config.json` (the provisioning document) with node's http
 * module. Hashed assets are cached for good; index.html, sw.js (the service worker, which a browser
 * checks for an update on every load) and config.json never, so an update is picked up on the next
 * load. Unknown paths without an extension get index.html.
 */
export const startStaticServer = async (options: StaticServerOptions): Promise<StaticServer> => {
  const dir = normalize(options.dir);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/config.json')
      return send(res, 200, JSON.stringify(options.provisioning), 'application/json; charset=utf-8');
    let file = await fileFor(dir, path === '/' ? '/index.html' : path);
    if (!file && !extname(path)) file = await fileFor(dir, '/index.html');
    if (!file) return send(res, 404, 'not found');
    const immutable = path.startsWith('/assets/');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, 'internal error'));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
