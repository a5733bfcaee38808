import { type Stats, statSync } from 'node:fs';
import type { HubConfig, Role } from '../config.js';
import type { Logger } from '../logger.js';
import { hashToken, readTokenFile, type StoredToken } from './token-store.js';

/** Who a bearer token speaks for. */
export interface Principal {
  /** `env-<n>` for the n-th HUB_TOKENS entry, else the token file's id. */
  readonly tokenId: string;
  readonly role: Role;
  /** The only channels whose reservations and pickups the token sees; undefined: every channel. */
  readonly channels: readonly string[] | undefined;
}

/** How often, at most, the token file is looked at for changes, ms. */
const RECHECK_MS = 1000;

const signatureOf = (stats: Stats | undefined): string =>
  stats ? `${stats.ino}:${stats.size}:${stats.mtimeMs}` : 'missing';

/**
 * The tokens the hub accepts: HUB_TOKENS, and the token file, looked at again at most once a second
 * so that a token made or revoked by `stocknerve-hub token` counts within about a second, without a
 * restart. Tokens are known by their SHA-256: a lookup's timing can only tell about a digest, which
 * says nothing about any token.
 */
export class TokenRegistry {
  private readonly tokenFile: string;
  private readonly fromEnv = new Map<string, Principal>();
  private fromFile = new Map<string, Principal>();
  private liveIds = new Set<string>();
  private signature = 'unread';
  private checkedAt = Number.NEGATIVE_INFINITY;

  /** Reads the token file once; throws when it exists but cannot be read or parsed. */
  constructor(
    config: Pick<HubConfig, 'tokens' | 'tokenFile'>,
    private readonly log: Logger,
    private readonly clock: () => number = () => performance.now(),
  ) {
    Object.entries(config.tokens).forEach(([token, grant], i) => {
      const principal: Principal =
        typeof grant === 'string'
          ? { tokenId: `env-${i + 1}`, role: grant, channels: undefined }
          : { tokenId: `env-${i + 1}`, role: grant.role, channels: grant.channels };
      this.fromEnv.set(hashToken(token), principal);
    });
    this.tokenFile = config.tokenFile;
    this.reload(this.stat());
    this.checkedAt = this.clock();
  }

  /** The principal of a presented token, if the hub knows it. */
  lookup(token: string): Principal | undefined {
    this.refresh();
    const digest = hashToken(token);
    return this.fromEnv.get(digest) ?? this.fromFile.get(digest);
  }

  /** Whether a token id (of a principal found earlier) is still accepted: false once revoked. */
  isLive(tokenId: string): boolean {
    if (tokenId.startsWith('env-')) return true;
    this.refresh();
    return this.liveIds.has(tokenId);
  }

  private stat(): Stats | undefined {
    try {
      return statSync(this.tokenFile, { throwIfNoEntry: false });
    } catch (error) {
      throw new Error(`token file ${this.tokenFile}: ${(error as Error).message}`);
    }
  }

  private refresh(): void {
    const now = this.clock();
    if (now - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = now;
    try {
      const stats = this.stat();
      if (signatureOf(stats) !== this.signature) this.reload(stats);
    } catch (error) {
      // A file being edited by hand, or made unreadable: the tokens read last stay in force.
      this.log.error({ err: error }, 'the token file could not be read again; keeping the tokens read before');
    }
  }

  private reload(stats: Stats | undefined): void {
    const tokens: StoredToken[] = stats ? readTokenFile(this.tokenFile) : [];
    this.fromFile = new Map(
      tokens.map((t) => [
        t.sha256,
        { tokenId: t.id, role: t.role, channels: t.role === 'ecommerce' ? t.channels : undefined },
      ]),
    );
    this.liveIds = new Set(tokens.map((t) => t.id));
    this.signature = signatureOf(stats);
    if (stats) this.log.info({ tokens: tokens.length, file: this.tokenFile }, 'token file read');
  }
}
