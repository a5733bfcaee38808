import type { TerminalClock } from '../clock/terminal-clock.js';
import type { EventOf, EventType } from '../events/registry.js';

/** An event as a decider produces it: the fact, before a producer stamps id, seq, HLC and so on. */
export type DecidedEvent = { [T in EventType]: { readonly type: T; readonly data: EventOf<T>['data'] } }[EventType];

/** Why a command was refused. Stable codes: HTTP answers and UIs switch on them. */
export type RejectionCode =
  | 'InsufficientStock'
  | 'UnknownLocation'
  | 'UnknownSku'
  | 'UnknownReservation'
  | 'UnknownPickup'
  | 'ReservationNotActive'
  | 'ReservationNotDue'
  | 'IdempotencyKeyReused'
  | 'InvalidExpiry'
  | 'DuplicateReceipt'
  | 'TendersDoNotCoverTotal'
  | 'DuplicateTransfer'
  | 'DuplicatePickup'
  | 'DuplicateReservation'
  | 'TransferToSelf'
  | 'TransferAlreadyReceived'
  | 'TransferNotForThisLocation'
  | 'NotOnReceipt'
  | 'ReturnExceedsSale'
  | 'PickupNotAtThisLocation'
  | 'PickupNotOpen'
  | 'NotAStore'
  | 'InvalidAdjustment'
  | 'ClockSkew';

export type Decision =
  | { readonly ok: true; readonly events: readonly DecidedEvent[] }
  | { readonly ok: false; readonly code: RejectionCode; readonly message: string; readonly details?: unknown };

export const accept = (...events: DecidedEvent[]): Decision => ({ ok: true, events });
export const reject = (code: RejectionCode, message: string, details?: unknown): Decision =>
  details === undefined ? { ok: false, code, message } : { ok: false, code, message, details };

/** Every command carries the time in (ms since epoch): deciders never read the clock. */
export interface CommandMetadata {
  readonly now: number;
}

/** Store commands also say where they are recorded. */
export interface StoreCommandMetadata extends CommandMetadata {
  readonly location: string;
  readonly node: string;
  /** The terminal's clock against the hub's, as last checked (absent: not checked yet, e.g. offline). */
  readonly clock?: TerminalClock | undefined;
}

/** Thrown only for a command type the switch does not know: a programming error, not bad input. */
export class UnknownCommandError extends Error {
  constructor(command: never) {
    super(`unknown command ${JSON.stringify(command)}`);
  }
}
