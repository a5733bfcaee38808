import { expect } from 'vitest';
import {
  applyStoredEvent,
  type ClockVerdict,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  foldStoredEvents,
  type StoredEvent,
} from '../clock/clock-rule.js';
import type { DecidedEvent, Decision, RejectionCode, StoreCommandMetadata } from '../deciders/decision.js';
import type { HubCommand, HubCommandMetadata } from '../deciders/hub-commands.js';
import { decideHubCommand } from '../deciders/hub-decider.js';
import type { StoreCommand } from '../deciders/store-commands.js';
import { decideStoreCommand } from '../deciders/store-decider.js';
import type { InventoryEvent } from '../events/registry.js';
import { foldEvents } from '../projection/apply-event.js';
import { initialInventoryState } from '../projection/state.js';
import { type InventoryView, inventoryView, type StockFigures, stockFiguresOf } from '../projection/view.js';

/** The outcome of a `when`, to assert on. */
export interface Then {
  /** The decision produced exactly these events. */
  thenEmits(expected: readonly DecidedEvent[]): void;
  /** The decision was refused with this code (and, optionally, a message matching the pattern). */
  thenRejects(code: RejectionCode, message?: RegExp): void;
  readonly decision: Decision;
}

const thenOf = (decision: Decision): Then => ({
  decision,
  thenEmits(expected) {
    expect(decision).toEqual({ ok: true, events: expected });
  },
  thenRejects(code, message) {
    expect(decision.ok, `expected a rejection ${code}, got ${JSON.stringify(decision)}`).toBe(false);
    if (decision.ok) return;
    expect(decision.code).toBe(code);
    if (message) expect(decision.message).toMatch(message);
  },
});

const viewOf = (events: readonly InventoryEvent[]): InventoryView => {
  const view = inventoryView(foldEvents(events, initialInventoryState()));
  // Deciders must be idempotent with respect to history: folding the same events twice is the same view.
  const twice = inventoryView(foldEvents([...events, ...events], initialInventoryState()));
  expect(twice.locations()).toEqual(view.locations());
  return view;
};

/** given(past events at a store).when(store command).thenEmits(...) */
export const givenStore = (events: readonly InventoryEvent[], meta: StoreCommandMetadata) => ({
  when: (command: StoreCommand): Then => thenOf(decideStoreCommand(command, viewOf(events), meta)),
});

/** given(past events).when(hub command).thenEmits(...) */
export const givenHub = (events: readonly InventoryEvent[], meta: HubCommandMetadata) => ({
  when: (command: HubCommand): Then => thenOf(decideHubCommand(command, viewOf(events), meta)),
});

/** The outcome of a stored event's `when`, to assert on. */
export interface ThenStored {
  /** What the clock rule made of the event. */
  readonly verdict: ClockVerdict;
  /** A cell's figures after it. */
  figures(sku: string, location: string): StockFigures;
}

/**
 * given(events as the stream stored them).when(event, storedMs): the hub's projection, clock rule
 * included, with `maxSkewMs` as its bound.
 */
export const givenStored = (stored: readonly StoredEvent[], maxSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS) => ({
  when: (event: InventoryEvent, storedMs: number): ThenStored => {
    const state = foldStoredEvents(stored, initialInventoryState(), maxSkewMs);
    const verdict = applyStoredEvent(state, event, storedMs, maxSkewMs);
    return { verdict, figures: (sku, location) => stockFiguresOf(state, sku, location) };
  },
});
