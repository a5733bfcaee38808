import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { createRxDatabase, type RxJsonSchema } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { describe, expect, it } from 'vitest';
import { recordReceipts, withEventLog } from '../testing/sync-fixture.js';
import type { EventLog } from './event-log.js';
import { type LocalDb, openLocalDb } from './local-db.js';
import { OUTBOX_STATE_KEY } from './outbox-state.js';
import { type EventDocV0, eventSchema, metaSchema, projectionSchema } from './schemas.js';

const identity = { node: 'store-1-t1', location: 'store-1', region: 'north' };
const storage = () => getRxStorageDexie({ indexedDB, IDBKeyRange });
let counter = 0;

/** The event schema as version 0 stored it: each event with its own ack state. */
const eventSchemaV0: RxJsonSchema<EventDocV0> = {
  ...(eventSchema as unknown as RxJsonSchema<EventDocV0>),
  version: 0,
  properties: {
    ...(eventSchema.properties as RxJsonSchema<EventDocV0>['properties']),
    ackState: { type: 'string', enum: ['pending', 'acked'], maxLength: 8 },
    streamSeq: { type: 'number', minimum: 0, maximum: 1e15, multipleOf: 1 },
    ackedAt: { type: 'number', minimum: 0, maximum: 1e15, multipleOf: 1 },
  },
  required: ['id', 'seq', 'type', 'event', 'ackState', 'streamSeq', 'recordedAt', 'ackedAt', 'origin'],
  indexes: ['seq', ['ackState', 'seq']],
};

const v0Doc = (seq: number, ackState: 'pending' | 'acked'): EventDocV0 => ({
  id: `0190000${String(seq).padStart(5, '0')}-ev`,
  seq,
  type: 'GoodsReceived',
  event: { seq, note: `event ${seq}` },
  ackState,
  streamSeq: ackState === 'acked' ? 100 + seq : 0,
  recordedAt: 1_700_000_000_000 + seq,
  ackedAt: ackState === 'acked' ? 1_700_000_100_000 + seq : 0,
  origin: 'local',
});

/** A terminal's database as a version-0 build left it. */
const writeV0Log = async (name: string, docs: readonly EventDocV0[]) => {
  const db = await createRxDatabase({ name, storage: storage(), multiInstance: false });
  const { events } = await db.addCollections({
    events: { schema: eventSchemaV0 },
    projections: { schema: projectionSchema },
    meta: { schema: metaSchema },
  });
  await events.bulkInsert([...docs]);
  await db.close();
};

/** Opens the database `name` as this build does (upgrading it), and its log; runs `check`; closes it. */
/** The upgraded database `name` (in fake-indexeddb, kept across opens) and its event log. */
const withLog = (name: string, check: (log: EventLog, db: LocalDb) => Promise<void>): Promise<void> =>
  withEventLog(() => openLocalDb({ name, storage: storage() }), identity, check);

describe("upgrading a terminal's log to immutable events", () => {
  it('moves the ack state into the outbox: nothing unacknowledged is taken for sent', async () => {
    const name = `upgrade-${process.pid}-${++counter}`;
    // 1-4 acked, 5 re-queued by anti-entropy, 6 acked, 7-9 never sent.
    const states = ['acked', 'acked', 'acked', 'acked', 'pending', 'acked', 'pending', 'pending', 'pending'] as const;
    await writeV0Log(
      name,
      states.map((s, i) => v0Doc(i + 1, s)),
    );

    await withLog(name, async (log, db) => {
      const docs = (await db.events.find({ sort: [{ seq: 'asc' }] }).exec()).map((d) => d.toJSON());
      expect(docs.map((d) => d.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(docs[4]).toEqual({
        id: v0Doc(5, 'pending').id,
        seq: 5,
        type: 'GoodsReceived',
        event: { seq: 5, note: 'event 5' },
        recordedAt: 1_700_000_000_005,
        origin: 'local',
      });
      expect(log.seq).toBe(9);
      expect(log.outbox.ackedThrough).toBe(4);
      // 6 was acked, but above 5: sent again, and the duplicate absorbed.
      expect((await log.pending(100)).map((d) => d.seq)).toEqual([5, 6, 7, 8, 9]);
      expect((await log.pendingSummary()).count).toBe(5);
      expect(log.ackedAtOf(4)).not.toBeNull();
      expect(await db.meta.findOne('outbox-upgrade').exec()).toBeNull();
    });

    // Opening it again changes nothing.
    await withLog(name, async (log) => {
      expect(log.outbox.ackedThrough).toBe(4);
    });
  });

  it('takes a fully acknowledged log as sent, and an empty one as a new terminal', async () => {
    const name = `upgrade-${process.pid}-${++counter}`;
    await writeV0Log(
      name,
      [1, 2, 3].map((seq) => v0Doc(seq, 'acked')),
    );
    await withLog(name, async (log) => {
      expect(log.outbox.ackedThrough).toBe(3);
      expect(await log.pending(10)).toEqual([]);
    });

    const emptyName = `upgrade-${process.pid}-${++counter}`;
    await writeV0Log(emptyName, []);
    await withLog(emptyName, async (_log, db) => {
      expect(await db.meta.findOne(OUTBOX_STATE_KEY).exec()).toBeNull();
    });
  });

  it('finishes an upgrade cut short after the events were rewritten, from its note', async () => {
    const name = `upgrade-${process.pid}-${++counter}`;
    await withLog(name, async (log, db) => {
      await recordReceipts(log, 5);
      // What a power cut between the rewrite and the outbox's first write leaves.
      await db.meta.upsert({ key: 'outbox-upgrade', value: { lowestUnacked: 3 } });
    });

    await withLog(name, async (log, db) => {
      expect(log.outbox.ackedThrough).toBe(2);
      expect((await log.pending(10)).map((d) => d.seq)).toEqual([3, 4, 5]);
      expect(await db.meta.findOne('outbox-upgrade').exec()).toBeNull();
    });
  });
});
