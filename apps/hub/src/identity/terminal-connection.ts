import type { ConnectionOptions } from '@nats-io/nats-core';
import { createUserKey, issueRoleJwt, jwtAuth, loadTrustSeeds, roleProfile } from '@stocknerve/identity';
import type { NodeIdentity } from '@stocknerve/protocol';
import type { HubConfig } from '../config.js';
import { natsOptions } from '../nats-options.js';

/**
 * Connection options of a node the hub host speaks for (the demo's back-office nodes): a terminal
 * user with a new key, issued from the identity directory, so it may publish that node's events
 * only. Without an identity directory, the hub's own options.
 */
export const terminalNatsOptions = async (
  config: Pick<HubConfig, 'natsUrl' | 'natsCa' | 'identityDir'>,
  identity: NodeIdentity,
): Promise<ConnectionOptions> => {
  const base = natsOptions({ natsUrl: config.natsUrl, natsCa: config.natsCa }, `stocknerve-${identity.node}`);
  if (!config.identityDir) return base;
  const seeds = await loadTrustSeeds(config.identityDir);
  const key = createUserKey();
  const grant = { role: 'terminal', identity } as const;
  const jwt = await issueRoleJwt(seeds, key.publicKey, grant);
  return { ...base, ...jwtAuth(jwt, key.seed, roleProfile(grant).inboxPrefix) };
};
