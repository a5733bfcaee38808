import type { RxCollection } from 'rxdb';
import { EMPTY_OUTBOX_STATE, OUTBOX_STATE_KEY, withRestoredThrough } from './outbox-state.js';
import type { EventDoc, EventDocV0, MetaDoc } from './schemas.js';

/** Meta document of an upgrade under way: the lowest seq the version-0 log had not had acknowledged. */
const UPGRADE_KEY = 'outbox-upgrade';

/**
 * Moves a version-0 log's per-event ack state into the outbox's state. RxDB rewrites each event
 * without its ack fields (`migrate`, the schema's migration strategy); before an unacknowledged event
 * is rewritten, its seq is noted in a meta document, so a migration cut short by a crash or power
 * cut resumes with nothing forgotten. `finish` then says the log is acknowledged below the lowest
 * unacknowledged seq. An acknowledged event above it (one anti-entropy had re-queued) is sent again,
 * which costs a duplicate the hub absorbs; an unacknowledged one is never taken for sent.
 */
export class LogUpgrade {
  private noted: Promise<unknown> = Promise.resolve();
  private started = false;

  constructor(private readonly meta: RxCollection<MetaDoc>) {}

  /** The migration strategy from version 0 to 1. */
  migrate(old: EventDocV0): Promise<EventDoc> {
    const { ackState, streamSeq: _streamSeq, ackedAt: _ackedAt, ...doc } = old;
    const unacked = ackState === 'pending' ? old.seq : null;
    if (!this.started || unacked !== null) {
      this.started = true;
      // One at a time: each note reads the one before it.
      this.noted = this.noted.then(() => this.note(unacked));
    }
    return this.noted.then(() => doc);
  }

  private async note(unacked: number | null): Promise<void> {
    const current = await this.meta.findOne(UPGRADE_KEY).exec();
    const noted = current?.value.lowestUnacked;
    const before = Number.isSafeInteger(noted) ? (noted as number) : null;
    const lowest = unacked === null ? before : before === null ? unacked : Math.min(before, unacked);
    await this.meta.upsert({ key: UPGRADE_KEY, value: { lowestUnacked: lowest } });
  }

  /** After the migration: writes the outbox's state (unless it was, before a crash) and clears the note. */
  async finish(events: RxCollection<EventDoc>, now: number): Promise<void> {
    const upgrade = await this.meta.findOne(UPGRADE_KEY).exec();
    if (!upgrade) return;
    if (!(await this.meta.findOne(OUTBOX_STATE_KEY).exec())) {
      const noted = upgrade.value.lowestUnacked;
      // A note that cannot be read says nothing was sent: everything is sent again (and absorbed).
      const lowest = noted === null ? null : Number.isSafeInteger(noted) ? (noted as number) : 1;
      const last = await events.findOne({ selector: {}, sort: [{ seq: 'desc' }] }).exec();
      const through = lowest === null ? (last?.seq ?? 0) : lowest - 1;
      // Taken as acknowledged now, later than it was: anti-entropy waits its grace period from now.
      const state = withRestoredThrough(EMPTY_OUTBOX_STATE, through, now);
      await this.meta.upsert({ key: OUTBOX_STATE_KEY, value: state as unknown as Record<string, unknown> });
    }
    await upgrade.remove();
  }
}
