import { createHash, randomInt } from 'node:crypto';
import { type KV, Kvm } from '@nats-io/kv';
import { type ConnectionOptions, connect } from '@nats-io/transport-node';
import { LocationId, NodeId } from '@stocknerve/domain';
import {
  appAccountJwt,
  credsAuth,
  issueRoleJwt,
  isUserPublicKey,
  pushAccountJwt,
  type Revocations,
  type TrustSeeds,
} from '@stocknerve/identity';
import { inboxPrefixOf, NAMES, type NodeIdentity } from '@stocknerve/protocol';
import { z } from 'zod';

/** A pending enrollment code, stored under the code's hash (the code itself is shown once). */
const PendingCode = z.object({
  location: z.string(),
  region: z.string(),
  node: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
});

/** An enrolled terminal: its current key, and every key it ever had that is revoked. */
export const TerminalRecord = z.object({
  node: z.string(),
  location: z.string(),
  region: z.string(),
  publicKey: z.string(),
  enrolledAt: z.number(),
  /** When the terminal itself was revoked (its current key too); null while it may connect. */
  revokedAt: z.number().nullable(),
  /** Public key → revocation time (unix s): replaced keys and, once revoked, the current one. */
  revokedKeys: z.record(z.string(), z.number()),
});
export type TerminalRecord = z.infer<typeof TerminalRecord>;

/** A refused enrollment step: HTTP status, a stable error code and a message for people. */
export class EnrollmentError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 410 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a terminal gets for a valid code: its JWT (its seed never left it) and who it is. */
export interface Enrolled {
  readonly jwt: string;
  readonly identity: NodeIdentity;
  /** The only inbox prefix its permissions allow: the connection's `inboxPrefix`. */
  readonly inboxPrefix: string;
}

export interface EnrollmentOptions {
  readonly seeds: TrustSeeds;
  /** The system-account user's `.creds` text (claim updates). */
  readonly sysCreds: string;
  /** How to reach NATS (servers, TLS) for the system-account connection. */
  readonly nats: Pick<ConnectionOptions, 'servers' | 'tls'>;
  readonly codeTtlMs: number;
  readonly now: () => number;
}

// Crockford's base32 without I, L, O, U: nothing a cashier can misread when typing it.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_CHARS = 10;

const normalize = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');
const keyOf = (code: string) => createHash('sha256').update(normalize(code)).digest('hex');

/** A code of 50 random bits, `XXXXX-XXXXX`. */
const newCode = (): string => {
  let raw = '';
  for (let i = 0; i < CODE_CHARS; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
};

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Terminal enrollment and revocation. An admin creates a one-time code for a (location, node); the
 * terminal generates its own key pair and redeems the code with its public key; the hub answers
 * with a user JWT bound to that node's permissions. Codes and terminals live in hub-only KV
 * buckets, so several hubs share them and a code is used once even when two redeem it at once.
 * Revoking re-issues the account JWT with the key in its revocations and pushes it to the servers,
 * which close the terminal's connection at once.
 */
export class Enrollment {
  private constructor(
    private readonly codes: KV,
    private readonly terminals: KV,
    private readonly options: EnrollmentOptions,
  ) {}

  static async open(nc: ConstructorParameters<typeof Kvm>[0], options: EnrollmentOptions): Promise<Enrollment> {
    const kvm = new Kvm(nc);
    const codes = await kvm.create(NAMES.enrollmentsBucket, {
      history: 1,
      ttl: Math.max(options.codeTtlMs * 4, 3_600_000),
    });
    const terminals = await kvm.create(NAMES.terminalsBucket, { history: 5 });
    return new Enrollment(codes, terminals, options);
  }

  /** A new one-time code for `node` at `location` (in `region`), valid for the configured time. */
  async createCode(target: NodeIdentity): Promise<{ code: string; expiresAt: number }> {
    const node = NodeId.safeParse(target.node);
    if (!node.success || target.node === 'hub')
      throw new EnrollmentError(
        400,
        'invalid-request',
        `node: ${node.success ? 'hub is reserved for the hub' : node.error.issues[0]?.message}`,
      );
    const location = LocationId.safeParse(target.location);
    if (!location.success)
      throw new EnrollmentError(400, 'invalid-request', `location: ${location.error.issues[0]?.message}`);
    const now = this.options.now();
    const expiresAt = now + this.options.codeTtlMs;
    const code = newCode();
    await this.codes.create(keyOf(code), JSON.stringify({ ...target, createdAt: now, expiresAt }));
    return { code, expiresAt };
  }

  /** Exchanges a code and the terminal's public key for its JWT; the code is spent whatever follows. */
  async redeem(code: string, publicKey: string): Promise<Enrolled> {
    if (!isUserPublicKey(publicKey))
      throw new EnrollmentError(
        400,
        'invalid-request',
        'publicKey: must be a NATS user public key (U…, 56 characters)',
      );
    const key = keyOf(code);
    const entry = await this.codes.get(key);
    if (entry?.operation !== 'PUT')
      throw new EnrollmentError(403, 'invalid-code', 'unknown or already used enrollment code');
    const pending = PendingCode.parse(entry.json());
    // Spent first, conditionally: of two redeemers of one code, only one gets past this line.
    try {
      await this.codes.delete(key, { previousSeq: entry.revision });
    } catch {
      throw new EnrollmentError(403, 'invalid-code', 'unknown or already used enrollment code');
    }
    if (pending.expiresAt <= this.options.now())
      throw new EnrollmentError(410, 'code-expired', 'the enrollment code has expired: ask for a new one');
    const identity: NodeIdentity = { node: pending.node, location: pending.location, region: pending.region };
    const jwt = await issueRoleJwt(this.options.seeds, publicKey, { role: 'terminal', identity });
    const previous = await this.get(identity.node);
    const now = this.options.now();
    const revokedKeys = { ...(previous?.revokedKeys ?? {}) };
    // A re-enrolled node (a replaced till) keeps one valid key: the old one is revoked.
    if (previous && previous.publicKey !== publicKey) revokedKeys[previous.publicKey] = seconds(now);
    delete revokedKeys[publicKey];
    const record: TerminalRecord = {
      ...identity,
      publicKey,
      enrolledAt: now,
      revokedAt: null,
      revokedKeys,
    };
    await this.terminals.put(identity.node, JSON.stringify(record));
    if (previous && previous.publicKey !== publicKey) await this.publishRevocations();
    return { jwt, identity, inboxPrefix: inboxPrefixOf(identity.node) };
  }

  /** Every terminal ever enrolled, by node id. */
  async list(): Promise<TerminalRecord[]> {
    const out: TerminalRecord[] = [];
    for await (const key of await this.terminals.keys()) {
      const record = await this.get(key);
      if (record) out.push(record);
    }
    return out.sort((a, b) => a.node.localeCompare(b.node));
  }

  async get(node: string): Promise<TerminalRecord | undefined> {
    const entry = await this.terminals.get(node);
    if (entry?.operation !== 'PUT') return undefined;
    const parsed = TerminalRecord.safeParse(entry.json());
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * Revokes a terminal (a lost or stolen till): its key is refused from now on and its connections
   * are closed. It can be enrolled again with a new code (a new key).
   */
  async revoke(node: string): Promise<TerminalRecord> {
    const record = await this.get(node);
    if (!record) throw new EnrollmentError(404, 'not-found', `no enrolled terminal ${node}`);
    const at = this.options.now();
    const revoked: TerminalRecord = {
      ...record,
      revokedAt: record.revokedAt ?? at,
      revokedKeys: { ...record.revokedKeys, [record.publicKey]: record.revokedKeys[record.publicKey] ?? seconds(at) },
    };
    await this.terminals.put(node, JSON.stringify(revoked));
    await this.publishRevocations();
    return revoked;
  }

  /** Every revoked key of every terminal. */
  async revocations(): Promise<Revocations> {
    const all: Record<string, number> = {};
    for (const t of await this.list()) Object.assign(all, t.revokedKeys);
    return all;
  }

  /**
   * Pushes the account JWT with every revocation to the servers. Also run at hub start, so a
   * server that was restored from an old backup, or joined later, learns them again.
   */
  async publishRevocations(): Promise<void> {
    const jwt = await appAccountJwt(this.options.seeds, await this.revocations());
    const sys = await connect({
      ...this.options.nats,
      ...credsAuth(this.options.sysCreds),
      name: 'stocknerve-hub-claims',
    });
    try {
      const result = await pushAccountJwt(sys, jwt);
      if (!result.ok)
        throw new EnrollmentError(
          503,
          'claims-update-failed',
          `the NATS servers refused the account update: ${result.message}`,
        );
    } finally {
      await sys.close();
    }
  }
}
