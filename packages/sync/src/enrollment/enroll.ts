import { createUserKey, jwtAuth, type NatsAuthOptions } from '@stocknerve/identity/client';
import { NodeIdentity } from '@stocknerve/protocol';
import { z } from 'zod';

/** What a terminal keeps after enrolling: its user JWT and seed (secret), and who it is. */
export const TerminalCredentials = z.object({
  jwt: z.string().min(1),
  seed: z.string().regex(/^SU[A-Z2-7]+$/, { error: 'seed must be a NATS user seed (SU…)' }),
  identity: NodeIdentity,
  inboxPrefix: z.string().min(1),
});
export type TerminalCredentials = z.infer<typeof TerminalCredentials>;

const Redeemed = z.object({ jwt: z.string().min(1), identity: NodeIdentity, inboxPrefix: z.string().min(1) });

/** Why enrolling failed, in words for the person at the till, with the hub's error code. */
export class EnrollmentFailed extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface EnrollOptions {
  /** The hub's HTTP base URL, e.g. `https://hub.example:7480`. */
  readonly hubUrl: string;
  /** The one-time code an admin created for this terminal. */
  readonly code: string;
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * Enrolls this terminal: generates its key pair here, sends only the public key with the code, and
 * returns the JWT the hub issued with the seed, to be stored locally. The seed never leaves.
 */
export const enrollTerminal = async (options: EnrollOptions): Promise<TerminalCredentials> => {
  const key = createUserKey();
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(`${options.hubUrl.replace(/\/+$/, '')}/v1/enrollments/redeem`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: options.code.trim(), publicKey: key.publicKey }),
    });
  } catch (error) {
    throw new EnrollmentFailed(`cannot reach the hub at ${options.hubUrl}: ${(error as Error).message}`, 'unreachable');
  }
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const { error, message } = body as { error?: string; message?: string };
    throw new EnrollmentFailed(message ?? `the hub answered ${response.status}`, error ?? `http-${response.status}`);
  }
  const redeemed = Redeemed.safeParse(body);
  if (!redeemed.success)
    throw new EnrollmentFailed('the hub answered something that is not an enrollment', 'bad-answer');
  return { ...redeemed.data, seed: key.seed };
};

/** Connection options that sign in as the enrolled terminal. */
export const terminalAuth = (credentials: TerminalCredentials): NatsAuthOptions =>
  jwtAuth(credentials.jwt, credentials.seed, credentials.inboxPrefix);
