import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { provisioningFromEnv } from '../config/provisioning.js';
import { startStaticServer } from './static-server.js';

// `pnpm --filter @stocknerve/store-node serve`: builds the renderer when its sources are newer
// than dist/ (or with --build), then serves it and /config.json.
//
// Environment (defaults):
//   STOCKNERVE_STORE_PORT (5180)       fixed: IndexedDB, hence the terminal's outbox, is per origin
//   STOCKNERVE_STORE_HOST (127.0.0.1)  0.0.0.0 to serve other devices of the store (LAN)
//   STOCKNERVE_NATS_URL (ws://127.0.0.1:7423, the dev NATS of scripts/start.sh)
//   STOCKNERVE_LOCATION, STOCKNERVE_REGION, STOCKNERVE_NODE (unset: asked at first run)

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(APP_DIR, 'dist');

const newestMtime = async (path: string): Promise<number> => {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((e) => newestMtime(join(path, e))));
  return Math.max(info.mtimeMs, ...times);
};

const needsBuild = async (): Promise<boolean> => {
  if (process.argv.includes('--build')) return true;
  const built = await newestMtime(join(DIST, 'index.html'));
  if (built === 0) return true;
  const sources = await Promise.all(['src', 'index.html', 'vite.config.ts'].map((p) => newestMtime(join(APP_DIR, p))));
  return Math.max(...sources) > built;
};

const main = async () => {
  if (await needsBuild()) {
    const { build } = await import('vite');
    console.log('building the renderer…');
    await build({ root: APP_DIR, configFile: join(APP_DIR, 'vite.config.ts'), logLevel: 'warn' });
  }
  const env = process.env;
  const provisioning = { natsUrl: 'ws://127.0.0.1:7423', ...provisioningFromEnv(env) };
  const server = await startStaticServer({
    dir: DIST,
    port: Number(env.STOCKNERVE_STORE_PORT ?? 5180),
    host: env.STOCKNERVE_STORE_HOST ?? '127.0.0.1',
    provisioning,
  });
  console.log(`store node at ${server.url}  (provisioning: ${JSON.stringify(provisioning)})`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
