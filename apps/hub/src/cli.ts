#!/usr/bin/env node
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ensureBackbone } from './backbone/ensure-backbone.js';
import { loadConfig } from './config.js';
import { seedDemo } from './demo/seed-demo.js';
import { startHub } from './hub.js';
import { IDENTITY_USAGE, runIdentityCommand } from './identity/identity-command.js';
import { terminalNatsOptions } from './identity/terminal-connection.js';
import { createLogger } from './logger.js';
import { natsOptions } from './nats-options.js';
import { rebuildViews } from './projector/rebuild.js';
import { ViewWriter } from './projector/view-writer.js';
import { prepareOfflineRebuild } from './store/offline-rebuild.js';
import { ensureViewSchema } from './store/schema.js';
import { openViewStore } from './store/view-store.js';
import { runTokenCommand } from './tokens/token-command.js';

const usage = `usage: stocknerve-hub <command>
  serve       start the hub (config from env: NATS_URL, HUB_PORT, HUB_DB, HUB_TOKENS, ... see docs/runbook.md)
  rebuild     drop the views and replay the whole event stream (stop the hub first, or POST /v1/admin/rebuild);
              also gives an older views file the current page size
  seed-demo   put demo locations, catalog and stock in through a running hub (HUB_URL, HUB_ADMIN_TOKEN)
  token       create, list or revoke HTTP API tokens (HUB_TOKEN_FILE; \`token help\`)
${IDENTITY_USAGE}`;

const serve = async () => {
  const hub = await startHub(loadConfig());
  const stop = async (signal: string) => {
    hub.ctx.log.info({ signal }, 'stopping');
    await hub.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
};

const rebuild = async () => {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  // The stream first: a rebuild that cannot reach it leaves the views as they were.
  const nc = await connect(natsOptions(config, 'stocknerve-hub-rebuild'));
  const jsm = await jetstreamManager(nc);
  await ensureBackbone(nc, jsm, { duplicateWindowMs: config.duplicateWindowMs, replicas: config.replicas });
  if (config.dbPath !== ':memory:') {
    const { from, to } = prepareOfflineRebuild(config.dbPath);
    if (from !== to) log.info({ from, to }, 'views file rewritten with pages of a new size');
  }
  const store = openViewStore(config.dbPath, log);
  ensureViewSchema(store);
  const result = await rebuildViews({
    js: jetstream(nc),
    jsm,
    store,
    writer: new ViewWriter(store),
    log,
    batchSize: config.rebuildBatchSize,
    maxClockSkewMs: config.maxClockSkewMs,
  });
  log.info(result, 'views rebuilt');
  await nc.drain();
  store.close();
};

const main = async () => {
  const command = process.argv[2];
  if (command === 'serve') return serve();
  if (command && (await runIdentityCommand(command, process.argv.slice(3)))) return;
  if (command === 'rebuild') return rebuild();
  if (command === 'token') {
    process.exitCode = runTokenCommand(process.argv.slice(3), process.env, { out: console.log, err: console.error });
    return;
  }
  if (command === 'seed-demo') {
    const config = loadConfig();
    return seedDemo({
      hubUrl: process.env.HUB_URL ?? 'http://127.0.0.1:7480',
      adminToken: process.env.HUB_ADMIN_TOKEN ?? '',
      nats: (identity) => terminalNatsOptions(config, identity),
    });
  }
  console.error(usage);
  process.exit(command ? 2 : 0);
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
