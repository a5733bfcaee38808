import { TerminalCredentials } from '@stocknerve/sync';
import { z } from 'zod';

/** A NATS WebSocket URL (`ws://` or `wss://`): what a browser can open. */
export const NatsWsUrl = z
  .string()
  .trim()
  .regex(/^wss?:\/\/[^\s/]+/, { error: 'NATS URL must be a WebSocket URL like wss://nats.example:7423' });

/** The hub's HTTP base URL: where a terminal enrolls. */
export const HubUrl = z
  .string()
  .trim()
  .regex(/^https?:\/\/[^\s/]+/, { error: 'hub URL must look like https://hub.example:7480' });

/** Where the terminal finds NATS and the hub: the part of its settings an operator may change. */
export const Addresses = z.object({ natsUrl: NatsWsUrl, hubUrl: HubUrl });
export type Addresses = z.infer<typeof Addresses>;

/** What enrolling takes: the addresses and the one-time code an admin created for this terminal. */
export const EnrollmentRequest = Addresses.extend({
  code: z.string().trim().min(1, { error: 'enter the enrollment code your manager gave you' }),
});
export type EnrollmentRequest = z.infer<typeof EnrollmentRequest>;

/** Units on one document line above which the till asks first, as typed in Settings. */
export const LineLimitForm = z.object({
  maxLineQty: z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,3}$/, { error: 'a whole number of units from 1 to 9999' })
    .transform(Number),
});

/**
 * Everything a terminal needs to run: the addresses, and the credentials it got by enrolling, which
 * say who it is (node, location, region: the hub bound its JWT to them).
 */
export const NodeSettings = Addresses.extend({
  credentials: TerminalCredentials,
  /** Units on one document line above which the till asks for confirmation; default 99. */
  maxLineQty: z.number().int().positive().optional(),
});
export type NodeSettings = z.infer<typeof NodeSettings>;
