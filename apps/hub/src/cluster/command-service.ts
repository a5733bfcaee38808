import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { HUB_COMMAND_SUBJECT } from '@stocknerve/protocol';
import type { CommandBus } from '../commands/command-bus.js';
import { CommandUnavailable } from '../commands/command-errors.js';
import type { Logger } from '../logger.js';
import { type ForwardedAnswer, ForwardedCommand } from './forwarded-command.js';

const encoder = new TextEncoder();

const reply = (m: Msg, answer: ForwardedAnswer) => {
  m.respond(encoder.encode(JSON.stringify(answer)));
};

/**
 * The leader's side of forwarding: decides commands other instances received over HTTP, through
 * the same group-committing writer as its own. Subscribed only while this instance leads.
 */
export const serveForwardedCommands = (nc: NatsConnection, bus: CommandBus, log: Logger): Subscription =>
  nc.subscribe(HUB_COMMAND_SUBJECT, {
    callback: (error, m) => {
      if (error) {
        log.warn({ err: error }, 'forwarded-command subscription failed');
        return;
      }
      let raw: unknown;
      try {
        raw = m.json();
      } catch {
        raw = undefined;
      }
      const parsed = ForwardedCommand.safeParse(raw);
      if (!parsed.success) {
        reply(m, { ok: false, retryable: false, message: `not a forwarded command: ${parsed.error.message}` });
        return;
      }
      const { command, correlationId, causationId } = parsed.data;
      bus.execute(command, { correlationId, ...(causationId ? { causationId } : {}) }).then(
        (result) => reply(m, { ok: true, result }),
        (failure: unknown) => {
          const retryable = failure instanceof CommandUnavailable;
          if (!retryable) log.error({ err: failure, correlationId }, 'forwarded command failed');
          reply(m, { ok: false, retryable: true, message: String((failure as Error)?.message ?? failure) });
        },
      );
    },
  });
