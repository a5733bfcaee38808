import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { loadTrustSeeds, TRUST_FILES } from '@stocknerve/identity';
import type { HubConfig } from '../config.js';
import { natsOptions } from '../nats-options.js';
import { Enrollment } from './enrollment.js';

/** The enrollment service over the configured identity directory (seeds and the system user's creds). */
export const openEnrollment = async (
  config: Pick<HubConfig, 'identityDir' | 'natsUrl' | 'natsCa' | 'enrollmentCodeTtlMs'>,
  nc: NatsConnection,
  now: () => number = Date.now,
): Promise<Enrollment> => {
  const dir = config.identityDir;
  if (!dir) throw new Error('HUB_IDENTITY_DIR is not set: enrollment needs the identity directory');
  const seeds = await loadTrustSeeds(dir);
  const sysCreds = await readFile(join(dir, TRUST_FILES.sysCreds), 'utf8');
  const { servers, tls } = natsOptions({ natsUrl: config.natsUrl, natsCa: config.natsCa }, 'claims');
  return Enrollment.open(nc, {
    seeds,
    sysCreds,
    nats: { servers, ...(tls ? { tls } : {}) },
    codeTtlMs: config.enrollmentCodeTtlMs,
    now,
  });
};
