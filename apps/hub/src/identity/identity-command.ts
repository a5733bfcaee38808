import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { initTrustDir, TRUST_FILES } from '@stocknerve/identity';
import { KV_BUCKETS, kvKeys, parseKvValue } from '@stocknerve/protocol';
import { loadConfig } from '../config.js';
import { natsOptions } from '../nats-options.js';
import { type Enrollment, EnrollmentError } from './enrollment.js';
import { openEnrollment } from './open-enrollment.js';

export const IDENTITY_USAGE = `  identity init [--dir D] [--resolver-dir R]
              create the NATS trust chain (operator, accounts, hub/admin/system users) in D
              (default HUB_IDENTITY_DIR or .data/identity); R is the NATS server's account store
  enroll create --location L --node N
              a one-time code that enrolls terminal N of location L (NATS_URL, NATS_CREDS, HUB_IDENTITY_DIR)
  terminal list | terminal revoke <node>
              enrolled terminals; revoke one (lost or stolen till): it is disconnected at once`;

const say = (line: string) => process.stdout.write(`${line}\n`);

/** `identity init`: writes (or completes) an identity directory and says what to do with it. */
const identityInit = async (args: string[]) => {
  const { values } = parseArgs({
    args,
    options: { dir: { type: 'string' }, 'resolver-dir': { type: 'string' } },
  });
  const dir = resolve(values.dir ?? process.env.HUB_IDENTITY_DIR ?? '.data/identity');
  const resolverDir = resolve(values['resolver-dir'] ?? '/var/lib/nats/accounts');
  await initTrustDir(dir, { resolverDir });
  say(`NATS identities in ${dir}:`);
  say(
    `  ${TRUST_FILES.natsAuthConf}  include it in nats-server's config (operator mode; account store ${resolverDir})`,
  );
  say(`  ${TRUST_FILES.hubCreds}        the hub's user: NATS_CREDS=${dir}/${TRUST_FILES.hubCreds}`);
  say(`  ${TRUST_FILES.adminCreds}      an operator's user (nats CLI: --creds)`);
  say(`  ${TRUST_FILES.sysCreds}        system account user (revocations)`);
  say(`  ${TRUST_FILES.seeds}       the signing keys: keep it secret (mode 0600) and backed up`);
  say(`Set HUB_IDENTITY_DIR=${dir} for the hub to enroll and revoke terminals.`);
};

/** The enrollment service of the configured hub, with a connection that is closed afterwards. */
const withEnrollment = async (
  run: (enrollment: Enrollment, regionOf: (l: string) => Promise<string | undefined>) => Promise<void>,
) => {
  const config = loadConfig();
  const nc = await connect(natsOptions(config, 'stocknerve-hub-cli'));
  try {
    const enrollment = await openEnrollment(config, nc);
    const locations = await new Kvm(nc).open(KV_BUCKETS.locations);
    const regionOf = async (location: string) => {
      const entry = await locations.get(kvKeys.location(location));
      if (entry?.operation !== 'PUT') return undefined;
      const parsed = parseKvValue('locations', entry.json());
      return parsed.ok ? parsed.value.region : undefined;
    };
    await run(enrollment, regionOf);
  } finally {
    await nc.close();
  }
};

const enrollCreate = (args: string[]) =>
  withEnrollment(async (enrollment, regionOf) => {
    const { values } = parseArgs({ args, options: { location: { type: 'string' }, node: { type: 'string' } } });
    if (!values.location || !values.node) throw new Error('usage: enroll create --location L --node N');
    const region = await regionOf(values.location);
    if (!region)
      throw new Error(`location ${values.location} is not defined (define it first: POST /v1/admin/locations)`);
    const { code, expiresAt } = await enrollment.createCode({ location: values.location, node: values.node, region });
    say(`enrollment code for ${values.node} at ${values.location} (${region}): ${code}`);
    say(`valid until ${new Date(expiresAt).toISOString()}, once; type it on the terminal's first-run screen`);
  });

const terminalList = () =>
  withEnrollment(async (enrollment) => {
    const terminals = await enrollment.list();
    if (terminals.length === 0) say('no terminal enrolled yet');
    for (const t of terminals)
      say(
        `${t.node}\t${t.location}\t${t.region}\t${t.revokedAt === null ? 'active' : `revoked ${new Date(t.revokedAt).toISOString()}`}\tenrolled ${new Date(t.enrolledAt).toISOString()}\t${t.publicKey}`,
      );
  });

const terminalRevoke = (node: string | undefined) =>
  withEnrollment(async (enrollment) => {
    if (!node) throw new Error('usage: terminal revoke <node>');
    const revoked = await enrollment.revoke(node);
    say(`revoked ${revoked.node} (${revoked.location}): its connections are closed and its key is refused`);
  });

/** Runs `identity …`, `enroll …` or `terminal …`; false when `command` is none of them. */
export const runIdentityCommand = async (command: string, args: string[]): Promise<boolean> => {
  const [sub, ...rest] = args;
  try {
    if (command === 'identity' && sub === 'init') await identityInit(rest);
    else if (command === 'enroll' && sub === 'create') await enrollCreate(rest);
    else if (command === 'terminal' && sub === 'list') await terminalList();
    else if (command === 'terminal' && sub === 'revoke') await terminalRevoke(rest[0]);
    else if (command === 'identity' || command === 'enroll' || command === 'terminal') {
      process.stderr.write(`usage:\n${IDENTITY_USAGE}\n`);
      process.exitCode = 2;
    } else return false;
  } catch (error) {
    if (!(error instanceof EnrollmentError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
  return true;
};
