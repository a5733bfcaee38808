import type { NatsConnection } from '@nats-io/nats-core';
import type { Decision, HubCommand, InventoryEvent } from '@stocknerve/domain';
import { HUB_COMMAND_SUBJECT } from '@stocknerve/protocol';
import type { CommandBus, CommandContext, CommandResult } from '../commands/command-bus.js';
import { CommandUnavailable } from '../commands/command-errors.js';
import type { Projector } from '../projector/projector.js';
import type { ForwardedAnswer, ForwardedCommand } from './forwarded-command.js';
import type { LeaderLease } from './leader-lease.js';

export interface CommandRouterDeps {
  readonly nc: NatsConnection;
  readonly bus: CommandBus;
  readonly lease: LeaderLease;
  readonly projector: Projector;
  /** Longest wait for the leader's answer, ms. */
  readonly forwardTimeoutMs: number;
  /** Longest wait for this instance's views to reach the answer's position, ms. */
  readonly readWaitMs: number;
}

const encoder = new TextEncoder();

/**
 * Where a command received over HTTP is decided: here when this instance leads, else by the leader
 * over NATS request-reply. Either way the answer waits until this instance's views hold its
 * position, so the client reading from the instance that answered sees its write.
 */
export class CommandRouter {
  /** Commands forwarded to the leader, and those that found none or no answer in time. */
  readonly stats = { forwarded: 0, forwardFailures: 0 };

  constructor(private readonly deps: CommandRouterDeps) {}

  async execute(command: HubCommand, ctx: CommandContext): Promise<CommandResult> {
    // Starting up (catching up with the stream, or the first look at the lease): wait for it.
    if (!this.deps.lease.isLeader && this.deps.lease.status().leader === undefined)
      await this.deps.lease.whenSettled(this.deps.readWaitMs + this.deps.forwardTimeoutMs);
    if (this.deps.lease.isLeader) return this.deps.bus.execute(command, ctx);
    this.stats.forwarded++;
    const request: ForwardedCommand = {
      command: command as ForwardedCommand['command'],
      correlationId: ctx.correlationId,
      ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
    };
    let answer: ForwardedAnswer;
    try {
      const m = await this.deps.nc.request(HUB_COMMAND_SUBJECT, encoder.encode(JSON.stringify(request)), {
        timeout: this.deps.forwardTimeoutMs,
      });
      answer = m.json<ForwardedAnswer>();
    } catch (error) {
      this.stats.forwardFailures++;
      throw new CommandUnavailable(
        /no responders|503/i.test(String(error))
          ? 'no hub instance leads right now (an election is under way); retry'
          : 'the leading hub instance did not answer in time; retry',
        { cause: error },
      );
    }
    if (!answer.ok) {
      this.stats.forwardFailures++;
      throw new CommandUnavailable(answer.message);
    }
    const result = answer.result;
    try {
      await this.deps.projector.waitFor(result.position, this.deps.readWaitMs);
    } catch (error) {
      throw new CommandUnavailable('recorded, but this instance has not caught up yet; retry the same request', {
        cause: error,
      });
    }
    return {
      decision: result.decision as Decision,
      events: result.events as InventoryEvent[],
      position: result.position,
    };
  }
}
