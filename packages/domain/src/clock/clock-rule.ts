import { HUB_NODE } from '../events/envelope.js';
import type { EventType, InventoryEvent } from '../events/registry.js';
import { hlcWallMsOf } from '../hlc.js';
import { applyEvent } from '../projection/apply-event.js';
import type { InventoryState } from '../projection/state.js';

/** How far (ms) a store event's HLC may be ahead of its store time before the clock rule acts. Default 5 min. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Store events that set a quantity instead of moving one. Applied from a clock that is ahead, one of
 * these would hide every later real movement behind it, so it is held for review instead.
 */
const ABSOLUTE_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>(['CycleCounted']);

/** Whether an event sets a quantity (a count) rather than moving one. */
export const setsAbsoluteQuantity = (type: EventType): boolean => ABSOLUTE_EVENT_TYPES.has(type);

/**
 * What the clock rule makes of one stored event (docs/decisions/0025-clock-skew-and-stream-integrity.md):
 * - `in-time`: applied as recorded;
 * - `placed-at-store-time`: a movement whose HLC is more than the bound ahead of the time the stream
 *   stored it; it counts, ordered as if its HLC's wall clock were the store time (`hlc`), so it
 *   cannot hide later real movements behind it;
 * - `held`: a count from such a clock; not applied, copied to the dead letters for review.
 */
export type ClockVerdict =
  | { readonly kind: 'in-time' }
  | { readonly kind: 'placed-at-store-time'; readonly aheadMs: number; readonly hlc: string }
  | { readonly kind: 'held'; readonly aheadMs: number };

/** The verdict of nearly every event: one value, so the hub's hot path does not allocate for it. */
export const IN_TIME: ClockVerdict = Object.freeze({ kind: 'in-time' });

const MS_DIGITS = 15;

/**
 * The clock rule: a store event whose HLC wall time is more than `maxSkewMs` ahead of `storedMs` (when
 * the stream stored it: the same on every replay) is placed at its store time, or held if it is a
 * count. The store time bounds when the fact really happened: it was recorded before it was stored.
 * The hub's own events are never judged (its clock is the reference of the commands it decides).
 */
export const clockVerdictOf = (
  event: Pick<InventoryEvent, 'type' | 'hlc' | 'node'>,
  storedMs: number,
  maxSkewMs: number,
): ClockVerdict => {
  const aheadMs = hlcWallMsOf(event.hlc) - storedMs;
  if (aheadMs <= maxSkewMs || event.node === HUB_NODE) return IN_TIME;
  if (setsAbsoluteQuantity(event.type)) return { kind: 'held', aheadMs };
  // The counter and node stay: events of one node stored in the same ms keep their order.
  return {
    kind: 'placed-at-store-time',
    aheadMs,
    hlc: `${String(storedMs).padStart(MS_DIGITS, '0')}${event.hlc.slice(MS_DIGITS)}`,
  };
};

/**
 * The event as the projection orders it under `verdict`: a movement placed at its store time gets that
 * HLC, and that time as `occurredAt` when its own says a time as far ahead (daily sales go by it).
 */
export const placedEvent = (
  event: InventoryEvent,
  verdict: ClockVerdict,
  storedMs: number,
  maxSkewMs: number,
): InventoryEvent => {
  if (verdict.kind !== 'placed-at-store-time') return event;
  const occurredAt =
    Date.parse(event.occurredAt) - storedMs > maxSkewMs ? new Date(storedMs).toISOString() : event.occurredAt;
  return { ...event, hlc: verdict.hlc, occurredAt };
};

/**
 * Folds one event as the hub does, knowing when the stream stored it (mutating the state). A held
 * event is remembered as seen, so a re-send of it changes nothing either; it moves no stock.
 */
export const applyStoredEvent = (
  state: InventoryState,
  event: InventoryEvent,
  storedMs: number,
  maxSkewMs: number = DEFAULT_MAX_CLOCK_SKEW_MS,
): ClockVerdict => {
  const verdict = clockVerdictOf(event, storedMs, maxSkewMs);
  if (verdict.kind === 'held') state.seenEventIds.add(event.id);
  else applyEvent(state, placedEvent(event, verdict, storedMs, maxSkewMs));
  return verdict;
};

/** An event with the time the stream stored it (ms). */
export interface StoredEvent {
  readonly event: InventoryEvent;
  readonly storedMs: number;
}

/** Folds stored events in stream order, as the hub does. */
export const foldStoredEvents = (
  stored: Iterable<StoredEvent>,
  state: InventoryState,
  maxSkewMs: number = DEFAULT_MAX_CLOCK_SKEW_MS,
): InventoryState => {
  for (const { event, storedMs } of stored) applyStoredEvent(state, event, storedMs, maxSkewMs);
  return state;
};
