import { HubCommandSchema } from '@stocknerve/domain';
import { z } from 'zod';

/** A hub command sent by an instance that does not lead to the one that does (HUB_COMMAND_SUBJECT). */
export const ForwardedCommand = z.object({
  command: HubCommandSchema,
  correlationId: z.string().min(1).max(200),
  causationId: z.string().min(1).max(200).optional(),
});
export type ForwardedCommand = z.infer<typeof ForwardedCommand>;

/**
 * The leader's answer: the decision, the events recorded and the stream position that holds them;
 * or why it did not decide (it does not lead any more, the log refused the append), which the
 * asking instance answers as a retryable 503.
 */
export type ForwardedAnswer =
  | {
      readonly ok: true;
      readonly result: { readonly decision: unknown; readonly events: readonly unknown[]; readonly position: number };
    }
  | { readonly ok: false; readonly retryable: boolean; readonly message: string };
