// The till's service worker, in a browser (Electron loads the renderer from disk and has none): a
// reload or a new tab opens the till while its web server or the network is down. Built to sw.js
// by vite.config.ts, which puts the shell's file list in place of __STOCKNERVE_SW_MANIFEST__.
//
// index.html and config.json: network first (an update is picked up on the next load), the last
// copy when the network fails. Hashed assets never change: cache first.

export {};

interface Lifecycle extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

interface Fetching extends Lifecycle {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

interface WorkerScope {
  readonly registration: { readonly scope: string };
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (event: Lifecycle) => void): void;
  addEventListener(type: 'fetch', listener: (event: Fetching) => void): void;
}

declare const __STOCKNERVE_SW_MANIFEST__: { readonly version: string; readonly shell: readonly string[] };

const worker = self as unknown as WorkerScope;
const manifest = __STOCKNERVE_SW_MANIFEST__;
const SHELL_CACHE = `stocknerve-shell-${manifest.version}`;
// Not per version: the last provisioning document outlives an update of the shell.
const CONFIG_CACHE = 'stocknerve-config';
/** A server that accepts the connection but does not answer counts as down after this long. */
const NETWORK_TIMEOUT_MS = 4000;

const scoped = (path: string) => new URL(path, worker.registration.scope).href;
const INDEX = scoped('index.html');
const CONFIG = scoped('config.json');

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll(manifest.shell.map(scoped));
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys())
        if (name.startsWith('stocknerve-shell-') && name !== SHELL_CACHE) await caches.delete(name);
      await worker.clients.claim();
    })(),
  );
});

const fetchWithTimeout = async (request: Request): Promise<Response> => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), NETWORK_TIMEOUT_MS);
  try {
    return await fetch(request, { signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
};

/** The network's answer, kept under `key`; the kept one when the network fails. */
const networkFirst = async (request: Request, cacheName: string, key: string): Promise<Response> => {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetchWithTimeout(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw error;
  }
};

const cacheFirst = async (request: Request): Promise<Response> => {
  const cache = await caches.open(SHELL_CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
};

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!url.href.startsWith(worker.registration.scope)) return;
  const path = url.href.slice(worker.registration.scope.length).split(/[?#]/)[0] ?? '';
  if (request.mode === 'navigate' || path === '' || path === 'index.html')
    return event.respondWith(networkFirst(request, SHELL_CACHE, INDEX));
  if (path === 'config.json') return event.respondWith(networkFirst(request, CONFIG_CACHE, CONFIG));
  if (path.startsWith('assets/')) return event.respondWith(cacheFirst(request));
});
