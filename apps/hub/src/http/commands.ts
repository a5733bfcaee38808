import type { HubCommand, RejectionCode, SkuLine } from '@stocknerve/domain';
import type { CommandResult } from '../commands/command-bus.js';
import { CommandUnavailable } from '../commands/command-errors.js';
import type { HubContext } from '../hub-context.js';
import { rejectionStatus } from './errors.js';
import { problem, type Reply } from './reply.js';
import type { RequestContext } from './request-context.js';

export type Executed =
  | { readonly ok: true; readonly result: CommandResult }
  | { readonly ok: false; readonly reply: Reply; readonly code: RejectionCode | 'unavailable' };

/**
 * Runs a hub command through the single writer with the request's correlation id. A refusal becomes
 * `{ error: code, message, details }` with the status of `rejectionStatus`; a failure to record it
 * (JetStream unreachable, projector too slow) becomes 503: the command may or may not be stored, and
 * retrying it is safe because every hub command is idempotent (reservations by Idempotency-Key).
 */
export const executeCommand = async (ctx: HubContext, rc: RequestContext, command: HubCommand): Promise<Executed> => {
  let result: CommandResult;
  try {
    result = await ctx.commands.execute(command, { correlationId: rc.correlationId });
  } catch (error) {
    const retry = error instanceof CommandUnavailable;
    if (retry) rc.log.warn({ err: error, command: command.type }, 'command not decided here; answered 503');
    else rc.log.error({ err: error, command: command.type }, 'command could not be recorded');
    return {
      ok: false,
      code: 'unavailable',
      reply: {
        status: 503,
        json: {
          error: 'unavailable',
          message: retry
            ? `${error.message} (the same request may be sent again)`
            : 'the event log could not be reached in time; retry the same request',
        },
        headers: { 'Retry-After': '1' },
      },
    };
  }
  rc.position = Math.max(rc.position ?? 0, result.position);
  const d = result.decision;
  if (!d.ok)
    return {
      ok: false,
      code: d.code,
      reply: problem(rejectionStatus(d.code), d.code, d.message, { details: d.details ?? null }),
    };
  return { ok: true, result };
};

/** Same SKUs and quantities in the same order: how the deciders recognise a replayed request. */
export const sameLines = (a: readonly SkuLine[], b: readonly SkuLine[]): boolean =>
  a.length === b.length && a.every((l, i) => l.sku === b[i]?.sku && l.qty === b[i]?.qty);
