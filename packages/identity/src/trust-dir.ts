import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueRoleJwt, type RoleGrant, roleProfile } from './roles.js';
import { operatorModeConfig } from './server-config.js';
import { createTrustSeeds, createUserKey, credsFile, systemUserCreds, type TrustSeeds } from './trust.js';

/**
 * A deployment's identity directory (the hub host's `HUB_IDENTITY_DIR`, `.data/identity` in the demo):
 *
 * - `trust.json`: the chain's seeds (secret, mode 0600);
 * - `nats-auth.conf`: operator mode for nats-server (`include` it from the server's config; no secret);
 * - `hub.creds`: the hub's NATS user; `admin.creds`: an operator's (runbook tasks, the `nats` CLI);
 * - `sys.creds`: a system-account user (claim updates: revocations).
 */
export const TRUST_FILES = {
  seeds: 'trust.json',
  natsAuthConf: 'nats-auth.conf',
  hubCreds: 'hub.creds',
  adminCreds: 'admin.creds',
  sysCreds: 'sys.creds',
} as const;

const writeSecret = async (file: string, text: string): Promise<void> => {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
};

const exists = (file: string) =>
  readFile(file).then(
    () => true,
    () => false,
  );

/** Reads the seeds of an identity directory; throws a message that says how to create one. */
export const loadTrustSeeds = async (dir: string): Promise<TrustSeeds> => {
  let text: string;
  try {
    text = await readFile(join(dir, TRUST_FILES.seeds), 'utf8');
  } catch {
    throw new Error(`no NATS identities in ${dir}: create them with \`stocknerve-hub identity init --dir ${dir}\``);
  }
  const seeds = JSON.parse(text) as TrustSeeds;
  for (const key of ['operator', 'operatorSigning', 'system', 'app', 'appSigning'] as const)
    if (typeof seeds[key] !== 'string') throw new Error(`${join(dir, TRUST_FILES.seeds)}: missing ${key}`);
  return seeds;
};

/** A user's `.creds` for a role, with a new key pair. */
export const roleCreds = async (seeds: TrustSeeds, grant: RoleGrant): Promise<string> => {
  const key = createUserKey();
  return credsFile(await issueRoleJwt(seeds, key.publicKey, grant), key.seed);
};

export interface InitTrustDirOptions {
  /** The server's account-JWT store (its full resolver's `dir`), written into `nats-auth.conf`. */
  readonly resolverDir: string;
}

/**
 * Creates an identity directory, or completes one: existing seeds and credentials are kept (a
 * second run changes nothing), missing files are written. Returns the seeds.
 */
export const initTrustDir = async (dir: string, options: InitTrustDirOptions): Promise<TrustSeeds> => {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const seedsFile = join(dir, TRUST_FILES.seeds);
  if (!(await exists(seedsFile))) await writeSecret(seedsFile, `${JSON.stringify(createTrustSeeds(), null, 2)}\n`);
  const seeds = await loadTrustSeeds(dir);
  const confFile = join(dir, TRUST_FILES.natsAuthConf);
  // JWTs and public keys only: the NATS server's user must be able to read it.
  if (!(await exists(confFile))) await writeFile(confFile, await operatorModeConfig(seeds, options), { mode: 0o644 });
  const users: [string, () => Promise<string>][] = [
    [TRUST_FILES.hubCreds, () => roleCreds(seeds, { role: 'hub' })],
    [TRUST_FILES.adminCreds, () => roleCreds(seeds, { role: 'admin' })],
    [TRUST_FILES.sysCreds, () => systemUserCreds(seeds, 'sys')],
  ];
  for (const [name, make] of users) {
    const file = join(dir, name);
    if (!(await exists(file))) await writeSecret(file, await make());
  }
  return seeds;
};

/** The inbox prefix a role's connections must use (its permissions allow no other). */
export const inboxPrefixOfRole = (grant: RoleGrant): string | undefined => roleProfile(grant).inboxPrefix;
