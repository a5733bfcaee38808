import {
  Algorithms,
  createAccount,
  createOperator,
  createUser,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
} from '@nats-io/jwt';
import { fromPublic, fromSeed, type KeyPair } from '@nats-io/nkeys';
import type { NatsPermissions } from '@stocknerve/protocol';

/**
 * The keys of one Stocknerve deployment's NATS trust chain, as nkey seeds (`SO…`, `SA…`). The
 * operator's identity key only signs the operator JWT; day-to-day signing uses signing keys, so
 * the identity key can be kept offline in production and a leaked signing key can be rotated.
 *
 * - `operatorSigning` signs account JWTs: the hub holds it to publish revocations.
 * - `appSigning` signs user JWTs: the hub holds it to enroll terminals.
 */
export interface TrustSeeds {
  readonly operator: string;
  readonly operatorSigning: string;
  readonly system: string;
  readonly app: string;
  readonly appSigning: string;
}

/** Name of the account every Stocknerve client connects to. */
export const APP_ACCOUNT_NAME = 'stocknerve';
/** Name of NATS's system account (server events, claim updates). */
export const SYSTEM_ACCOUNT_NAME = 'SYS';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Generates a new trust chain. Every seed is a secret. */
export const createTrustSeeds = (): TrustSeeds => ({
  operator: text(createOperator().getSeed()),
  operatorSigning: text(createOperator().getSeed()),
  system: text(createAccount().getSeed()),
  app: text(createAccount().getSeed()),
  appSigning: text(createAccount().getSeed()),
});

const pair = (seed: string): KeyPair => fromSeed(new TextEncoder().encode(seed));

/** Public keys of the chain (what a server config and a JWT may show). */
export const trustPublicKeys = (seeds: TrustSeeds) => ({
  operator: pair(seeds.operator).getPublicKey(),
  operatorSigning: pair(seeds.operatorSigning).getPublicKey(),
  system: pair(seeds.system).getPublicKey(),
  app: pair(seeds.app).getPublicKey(),
  appSigning: pair(seeds.appSigning).getPublicKey(),
});

/**
 * An account's limits replace the server's defaults: any one left out is zero (and with `conn` at
 * zero every connect fails with a dial timeout), so all of them are given. -1 means unlimited;
 * JetStream on the app account only.
 */
const unlimited = (jetStream: boolean) => ({
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
  ...(jetStream ? { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 } : {}),
});

/** The operator JWT nats-server loads (`operator:` in its config). */
export const operatorJwt = (seeds: TrustSeeds): Promise<string> => {
  const keys = trustPublicKeys(seeds);
  return encodeOperator('stocknerve', pair(seeds.operator), {
    system_account: keys.system,
    signing_keys: [keys.operatorSigning],
  });
};

/** The system account's JWT. */
export const systemAccountJwt = (seeds: TrustSeeds): Promise<string> =>
  encodeAccount(
    SYSTEM_ACCOUNT_NAME,
    pair(seeds.system).getPublicKey(),
    { limits: unlimited(false) },
    { signer: pair(seeds.operatorSigning) },
  );

/**
 * Users revoked by public key: every user JWT issued for that key at or before the time (unix
 * seconds) is refused, and its live connections are closed, once the servers have this account JWT.
 */
export type Revocations = Readonly<Record<string, number>>;

/** The app account's JWT, with its revocations. Issuing it again with new revocations is how a user is revoked. */
export const appAccountJwt = (seeds: TrustSeeds, revocations: Revocations = {}): Promise<string> =>
  encodeAccount(
    APP_ACCOUNT_NAME,
    pair(seeds.app).getPublicKey(),
    {
      limits: unlimited(true),
      signing_keys: [pair(seeds.appSigning).getPublicKey()],
      revocations: { ...revocations },
    },
    { signer: pair(seeds.operatorSigning) },
  );

/** What a user may do, and until when (unix seconds; absent: no expiry). */
export interface UserGrant {
  readonly name: string;
  readonly permissions: NatsPermissions;
  readonly expiresAt?: number;
  /** Connection types the user may use, e.g. `['STANDARD']` or `['WEBSOCKET']`; absent: any. */
  readonly connectionTypes?: readonly ('STANDARD' | 'WEBSOCKET')[];
}

/** A user JWT of the app account for a public key (`U…`) the holder generated; signed by the app signing key. */
export const issueUserJwt = (seeds: TrustSeeds, userPublicKey: string, grant: UserGrant): Promise<string> =>
  encodeUser(
    grant.name,
    fromPublic(userPublicKey),
    pair(seeds.app).getPublicKey(),
    {
      pub: { allow: [...grant.permissions.pub.allow], deny: [...grant.permissions.pub.deny] },
      sub: { allow: [...grant.permissions.sub.allow], deny: [...grant.permissions.sub.deny] },
      ...(grant.connectionTypes ? { allowed_connection_types: [...grant.connectionTypes] } : {}),
    },
    { signer: pair(seeds.appSigning), algorithm: Algorithms.v2, ...(grant.expiresAt ? { exp: grant.expiresAt } : {}) },
  );

/** A new user key pair: its seed (secret) and public key. */
export const createUserKey = (): { seed: string; publicKey: string } => {
  const kp = createUser();
  return { seed: text(kp.getSeed()), publicKey: kp.getPublicKey() };
};

/** A `.creds` file: the user JWT and its seed, as `nats` tools and `credsAuthenticator` read it. */
export const credsFile = (jwt: string, userSeed: string): string => text(fmtCreds(jwt, pair(userSeed)));

/** A user of the system account (claim updates, server events): the runbook's and the hub's admin channel. */
export const systemUserCreds = async (seeds: TrustSeeds, name: string): Promise<string> => {
  const user = createUserKey();
  const jwt = await encodeUser(name, fromPublic(user.publicKey), pair(seeds.system), {}, { algorithm: Algorithms.v2 });
  return credsFile(jwt, user.seed);
};

/** True for a well-formed user public key (`U…`, checksum included): what a terminal sends to enroll. */
export const isUserPublicKey = (text: string): boolean => {
  if (!/^U[A-Z2-7]{55}$/.test(text)) return false;
  try {
    fromPublic(text);
    return true;
  } catch {
    return false;
  }
};
