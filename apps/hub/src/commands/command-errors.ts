/**
 * A command that was not decided or not recorded, and may be sent again as it is: this instance
 * does not lead, no leader answered, or the event log refused the append. The HTTP API answers 503
 * with Retry-After; every hub command is idempotent, so the retry is safe.
 */
export class CommandUnavailable extends Error {
  override readonly name = 'CommandUnavailable';
}
