import type { Logger } from '../logger.js';
import type { SqlStore } from '../store/sql-store.js';
import type { CommandBus } from './command-bus.js';

/** Most expiries in flight at once. */
const SWEEP_CHUNK = 500;

/**
 * Expires reservations whose expiresAt has passed, as events. Driven by the views on a timer, so a
 * hold that fell due while the hub was down expires right after it starts again.
 */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly db: SqlStore,
    private readonly bus: CommandBus,
    private readonly log: Logger,
    private readonly everyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.everyMs);
    void this.sweep();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Expires every due hold once; returns how many expired. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      // expiresAt is stored normalised (toISOString), so text order is time order.
      const due = this.db.all<{ reservation_id: string; correlation_id: string }>(
        "SELECT reservation_id, correlation_id FROM reservations WHERE status = 'placed' AND expires_at <= ? ORDER BY expires_at",
        new Date(this.now()).toISOString(),
      );
      let expired = 0;
      // Sent together, they are decided as a few groups instead of one append each.
      for (let i = 0; i < due.length; i += SWEEP_CHUNK) {
        const results = await Promise.all(
          due
            .slice(i, i + SWEEP_CHUNK)
            .map((r) =>
              this.bus.execute(
                { type: 'ExpireReservation', data: { reservationId: r.reservation_id } },
                { correlationId: r.correlation_id },
              ),
            ),
        );
        expired += results.filter((result) => result.events.length > 0).length;
      }
      return expired;
    } catch (error) {
      this.log.warn({ err: error }, 'expiry sweep failed; will retry');
      return 0;
    } finally {
      this.sweeping = false;
    }
  }
}
