import type { DecidedEvent } from '../deciders/decision.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { InventoryEvent } from '../events/registry.js';
import { formatHlc, type Hlc, hlcNow, hlcZero } from '../hlc.js';
import { deterministicEventId } from '../ids.js';
import { stampEvent } from '../stamp.js';

export interface EventFactory {
  /** Stamps a decided event as the next event of this node (seq + 1, HLC ticks). */
  next(decided: DecidedEvent, overrides?: Partial<EventEnvelope>): InventoryEvent;
  /** The node's clock after the last event. */
  readonly clock: Hlc;
  readonly lastSeq: number;
}

/**
 * Produces a node's events the way a real node does: gap-free seq from 1, HLC from a simulated
 * wall clock that advances `stepMs` per event (default 1000 ms from `startMs`).
 */
export const eventFactory = (options: {
  location: string;
  node: string;
  startMs?: number;
  stepMs?: number;
}): EventFactory => {
  const stepMs = options.stepMs ?? 1000;
  let wallMs = options.startMs ?? Date.UTC(2026, 0, 1);
  let clock = hlcZero(options.node);
  let seq = 0;
  return {
    next(decided, overrides) {
      seq += 1;
      wallMs += stepMs;
      clock = hlcNow(clock, wallMs);
      return stampEvent(decided, {
        id: deterministicEventId(wallMs, options.node, seq),
        location: options.location,
        node: options.node,
        seq,
        hlc: formatHlc(clock),
        occurredAt: new Date(wallMs).toISOString(),
        correlationId: `corr-${options.node}-${seq}`,
        ...overrides,
      });
    },
    get clock() {
      return clock;
    },
    get lastSeq() {
      return seq;
    },
  };
};
