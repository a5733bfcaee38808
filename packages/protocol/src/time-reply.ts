import { z } from 'zod';

/** The hub's answer on `TIME_SUBJECT` (docs/wire-protocol.md, section 16). */
export const TimeReply = z.object({
  /** The hub's clock when it answered, ms since the epoch. */
  now: z.number().int().nonnegative(),
  /** How far a node's clock may be off before the hub stops trusting its counts, ms (HUB_MAX_CLOCK_SKEW_MS). */
  maxSkewMs: z.number().int().positive(),
});
export type TimeReply = z.infer<typeof TimeReply>;
