import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { provisioningFromEnv } from '../shared/provisioning.js';
import { startStaticServer } from './static-server.js';

// `pnpm --filter @stocknerve/store-node serve`: serves the built renderer and /config.json to a
// browser on this machine (or the store's LAN).
//
// Environment (defaults):
//   STOCKNERVE_STORE_PORT (5180)       fixed: IndexedDB, hence the terminal's outbox, is per origin
//   STOCKNERVE_STORE_HOST (127.0.0.1)  0.0.0.0 to serve other devices of the store (LAN)
//   STOCKNERVE_NATS_URL (ws://127.0.0.1:7423, the NATS of `npm start`)
//   STOCKNERVE_HUB_URL (http://127.0.0.1:7480, the hub of `npm start`)
//   STOCKNERVE_ENROLLMENT_CODE (unset: asked at first run; an enrolled terminal ignores it)

/** The renderer that `pnpm build` wrote: dist/renderer, beside dist/server. */
const RENDERER = join(import.meta.dirname, '..', 'renderer');

const main = async () => {
  if (!existsSync(join(RENDERER, 'index.html')))
    throw new Error(`the store node is not built (${RENDERER} is missing): run \`pnpm build\``);
  const env = process.env;
  const provisioning = { natsUrl: 'ws://127.0.0.1:7423', hubUrl: 'http://127.0.0.1:7480', ...provisioningFromEnv(env) };
  const server = await startStaticServer({
    dir: RENDERER,
    port: Number(env.STOCKNERVE_STORE_PORT ?? 5180),
    host: env.STOCKNERVE_STORE_HOST ?? '127.0.0.1',
    provisioning,
  });
  // The code is a secret until spent: logs show only whether there is one.
  const shown = { ...provisioning, ...(provisioning.enrollmentCode ? { enrollmentCode: '(set)' } : {}) };
  console.log(`store node at ${server.url}  (provisioning: ${JSON.stringify(shown)})`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
