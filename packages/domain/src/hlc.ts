import { z } from 'zod';
import type { NodeId } from './ids.js';

/**
 * Hybrid logical clock timestamp: wall-clock ms, a logical counter for events inside the same ms
 * (or when the wall clock is behind a timestamp already seen), and the node that made it, which
 * breaks ties so that the order is total.
 */
export interface Hlc {
  readonly wallMs: number;
  readonly counter: number;
  readonly node: NodeId;
}

const COUNTER_MAX = 999_999;
const MS_DIGITS = 15;
const COUNTER_DIGITS = 6;

/** The clock of a node that has not made or seen any timestamp yet. */
export const hlcZero = (node: NodeId): Hlc => ({ wallMs: 0, counter: 0, node });

const tick = (wallMs: number, counter: number, node: NodeId): Hlc =>
  counter > COUNTER_MAX ? { wallMs: wallMs + 1, counter: 0, node } : { wallMs, counter, node };

/** Timestamp for a local event, given the node's last timestamp and the wall clock (ms). */
export const hlcNow = (last: Hlc, wallMs: number): Hlc =>
  wallMs > last.wallMs ? { wallMs, counter: 0, node: last.node } : tick(last.wallMs, last.counter + 1, last.node);

/** The local clock after seeing a remote timestamp, so later local events order after it. */
export const hlcReceive = (local: Hlc, remote: Hlc, wallMs: number): Hlc => {
  const ms = Math.max(local.wallMs, remote.wallMs, wallMs);
  if (ms === local.wallMs && ms === remote.wallMs)
    return tick(ms, Math.max(local.counter, remote.counter) + 1, local.node);
  if (ms === local.wallMs) return tick(ms, local.counter + 1, local.node);
  if (ms === remote.wallMs) return tick(ms, remote.counter + 1, local.node);
  return { wallMs: ms, counter: 0, node: local.node };
};

/** Total order: wall ms, then counter, then node id. */
export const compareHlc = (a: Hlc, b: Hlc): -1 | 0 | 1 => {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return 0;
};

/**
 * Fixed-width text form `<15-digit ms>-<6-digit counter>-<node>`: comparing two of them as strings
 * gives the same answer as `compareHlc`, so SQL `ORDER BY hlc` and index ranges just work.
 */
export const formatHlc = (h: Hlc): string =>
  `${String(h.wallMs).padStart(MS_DIGITS, '0')}-${String(h.counter).padStart(COUNTER_DIGITS, '0')}-${h.node}`;

export const hlcPattern = /^(\d{15})-(\d{6})-([a-z0-9][a-z0-9-]{0,63})$/;

/** Parses the text form; undefined when it is not one. */
export const parseHlc = (text: string): Hlc | undefined => {
  const m = hlcPattern.exec(text);
  if (!m) return undefined;
  return { wallMs: Number(m[1]), counter: Number(m[2]), node: m[3] as NodeId };
};

/** Where the node starts in an HLC's text form: after `<ms>-<counter>-`. */
const NODE_AT = MS_DIGITS + 1 + COUNTER_DIGITS + 1;

/**
 * Whether an HLC in its text form was made by `node`, for text already known to match `hlcPattern`
 * (a parsed event's): its node is what follows the fixed-width clock and counter, so this compares
 * the tail without the pattern and the object `parseHlc` builds (the hub asks it of every event).
 */
export const isHlcOfNode = (text: string, node: string): boolean =>
  text.length === NODE_AT + node.length && text.charCodeAt(NODE_AT - 1) === 45 /* '-' */ && text.endsWith(node);

/**
 * The wall clock (ms) of an HLC in its text form, without parsing the rest (its first MS_DIGITS
 * digits). Digit by digit: the hub asks it of every store event (the clock rule), and a slice would
 * allocate a string each time (docs/decisions/0023-allocation-on-hot-paths.md).
 */
export const hlcWallMsOf = (text: string): number => {
  let ms = 0;
  for (let i = 0; i < MS_DIGITS; i++) ms = ms * 10 + (text.charCodeAt(i) - 48);
  return ms;
};

/** Compares two timestamps in text form (plain string order, by construction). */
export const compareHlcText = (a: string, b: string): -1 | 0 | 1 => (a < b ? -1 : a > b ? 1 : 0);

/** An HLC in its text form, as events carry it. */
export const HlcText = z.string().regex(hlcPattern, {
  error: 'hlc must look like "<15-digit ms>-<6-digit counter>-<node>"',
});

/** How far (ms) a timestamp is ahead of the given wall clock; positive means a fast remote clock. */
export const hlcDriftMs = (h: Hlc, wallMs: number): number => h.wallMs - wallMs;
