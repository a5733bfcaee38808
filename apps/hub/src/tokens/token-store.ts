import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ChannelId } from '@stocknerve/domain';
import { z } from 'zod';
import { Role } from '../config.js';
import { CONTROL_CHARACTERS } from '../http/validation.js';

/** Starts every token the hub makes, so that a leaked one is recognisable (logs, secret scanners). */
export const TOKEN_PREFIX = 'snt_';
/** Random bytes in a token the hub makes: 43 characters of base64url. */
export const TOKEN_RANDOM_BYTES = 32;

/** A token as the token file keeps it: never the token, only its SHA-256. */
export const StoredToken = z.object({
  /** Short and public: what `token list` shows and `token revoke` takes. */
  id: z.string().regex(/^[0-9a-f]{10}$/),
  name: z.string().max(200),
  role: Role,
  /** The sales channels an ecommerce token is limited to; empty for the other roles. */
  channels: z.array(ChannelId),
  /** SHA-256 of the token, hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
});
export type StoredToken = z.infer<typeof StoredToken>;

/** What `token list` shows of a token. */
export type TokenInfo = Omit<StoredToken, 'sha256'>;

const TokenFile = z.object({ version: z.literal(1), tokens: z.array(StoredToken) });

/** SHA-256 of a token, hex: how the token file and the running hub know a token. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The token file's tokens; none when the file does not exist. Throws on a file it cannot read or parse. */
export const readTokenFile = (path: string): StoredToken[] => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`token file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`token file ${path}: not JSON`);
  }
  const parsed = TokenFile.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `token file ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data.tokens;
};

/**
 * Replaces the token file in one rename: the running hub reads either the old file or the new one,
 * never half of one. Mode 0600 from the start, because the hashes of short HUB_TOKENS-style secrets
 * could be guessed offline.
 */
export const writeTokenFile = (path: string, tokens: readonly StoredToken[]): void => {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
};

/** What a new token is for. */
export interface NewToken {
  readonly role: Role;
  /** Required for (and only for) ecommerce tokens. */
  readonly channels?: readonly string[];
  readonly name?: string;
}

export type Created = { readonly ok: true; readonly token: string; readonly info: TokenInfo } | Refused;
export type Refused = { readonly ok: false; readonly message: string };

const refused = (message: string): Refused => ({ ok: false, message });

/** Why a new token cannot be made as asked, if it cannot. */
const checkNewToken = (request: NewToken): string | undefined => {
  const channels = request.channels ?? [];
  if (request.role === 'ecommerce' && channels.length === 0)
    return 'an ecommerce token needs at least one --channel (e.g. --channel web)';
  if (request.role !== 'ecommerce' && channels.length > 0)
    return `--channel limits ecommerce tokens only; a ${request.role} token sees every channel`;
  for (const channel of channels) {
    const checked = ChannelId.safeParse(channel);
    if (!checked.success) return `--channel ${JSON.stringify(channel)}: ${checked.error.issues[0]?.message}`;
  }
  const name = request.name ?? '';
  if (name.length > 200) return '--name must be at most 200 characters';
  if (CONTROL_CHARACTERS.test(name)) return '--name must not contain control characters';
  return undefined;
};

/**
 * Makes a token (32 random bytes), adds its hash to the token file and returns the token: the only
 * time it exists outside its holder.
 */
export const createToken = (path: string, request: NewToken, now: Date = new Date()): Created => {
  const problem = checkNewToken(request);
  if (problem) return refused(problem);
  const tokens = readTokenFile(path);
  const token = `${TOKEN_PREFIX}${randomBytes(TOKEN_RANDOM_BYTES).toString('base64url')}`;
  let id = randomBytes(5).toString('hex');
  while (tokens.some((t) => t.id === id)) id = randomBytes(5).toString('hex');
  const stored: StoredToken = {
    id,
    name: request.name ?? '',
    role: request.role,
    channels: [...new Set(request.channels ?? [])],
    sha256: hashToken(token),
    createdAt: now.toISOString(),
  };
  writeTokenFile(path, [...tokens, stored]);
  return { ok: true, token, info: infoOf(stored) };
};

const infoOf = ({ sha256: _hash, ...info }: StoredToken): TokenInfo => info;

/** Every token in the file, without hashes. */
export const listTokens = (path: string): TokenInfo[] => readTokenFile(path).map(infoOf);

/** Removes a token from the file; the running hub refuses it from its next check of the file. */
export const revokeToken = (path: string, id: string): { ok: true; readonly info: TokenInfo } | Refused => {
  const tokens = readTokenFile(path);
  const found = tokens.find((t) => t.id === id);
  if (!found) return refused(`no token ${id} in ${path}`);
  writeTokenFile(
    path,
    tokens.filter((t) => t.id !== id),
  );
  return { ok: true, info: infoOf(found) };
};
