import type { NatsConnection } from '@nats-io/nats-core';

/** What the servers answered to an account JWT update. */
export interface ClaimsUpdateResult {
  readonly ok: boolean;
  readonly message: string;
}

/**
 * Sends a new account JWT to the servers' full resolver (`$SYS.REQ.CLAIMS.UPDATE`) over a system
 * account connection. In a cluster the resolvers pass it on to each other; each server applies it
 * at once (new revocations close the revoked users' connections).
 */
export const pushAccountJwt = async (sys: NatsConnection, accountJwt: string): Promise<ClaimsUpdateResult> => {
  const reply = await sys.request('$SYS.REQ.CLAIMS.UPDATE', accountJwt, { timeout: 5_000 });
  const body = reply.json<{
    data?: { code?: number; message?: string };
    error?: { code?: number; description?: string };
  }>();
  if (body.error) return { ok: false, message: body.error.description ?? `error ${body.error.code}` };
  return { ok: true, message: body.data?.message ?? 'updated' };
};
