import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { credsAuth } from '@stocknerve/identity';
import { HUB_INBOX_PREFIX } from '@stocknerve/protocol';
import type { HubConfig } from './config.js';

/**
 * How the hub and its CLI commands reach NATS: the servers, the hub's credentials (its permissions
 * allow replies only under its own inbox prefix) and the CA of a `tls://` server.
 */
export const natsOptions = (
  config: Pick<HubConfig, 'natsUrl' | 'natsCreds' | 'natsCa'>,
  name: string,
): ConnectionOptions => {
  const options: ConnectionOptions = { servers: config.natsUrl.split(','), name };
  if (config.natsCreds) {
    let creds: string;
    try {
      creds = readFileSync(config.natsCreds, 'utf8');
    } catch (error) {
      throw new Error(`cannot read NATS_CREDS ${config.natsCreds}: ${(error as Error).message}`);
    }
    Object.assign(options, credsAuth(creds, HUB_INBOX_PREFIX));
  }
  if (config.natsCa) options.tls = { caFile: config.natsCa };
  return options;
};
