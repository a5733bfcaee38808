import { describe, expect, it } from 'vitest';
import { openMemoryTestDb, recordReceipts, withEventLog } from '../testing/sync-fixture.js';
import { EventLog } from './event-log.js';

const identity = { node: 'store-1-t1', location: 'store-1', region: 'north' };

describe('the event log', () => {
  it('reads back what it recorded as plain data, which can be posted to another thread', () =>
    withEventLog(openMemoryTestDb, identity, async (log) => {
      const recorded = await log.record(
        [
          {
            type: 'SaleRecorded',
            data: {
              receiptId: 'r-1',
              currency: 'EUR',
              totalCents: 300,
              lines: [{ sku: 'SKU-1', qty: 3, unitPriceCents: 100 }],
            },
          },
          { type: 'GoodsReceived', data: { purchaseOrderId: 'po-1', lines: [{ sku: 'SKU-1', qty: 5 }] } },
        ],
        { correlationId: 'c-1' },
      );
      const all = await log.all();
      expect(all).toEqual(recorded);
      // A sale is taken by the domain's parse as it is given: given RxDB's view of a document, it
      // came back as that view, which structuredClone (postMessage) refuses.
      expect(structuredClone(all)).toEqual(recorded);
    }));

  it('records acknowledgements without touching the events, and sends re-queued ones first', () =>
    withEventLog(openMemoryTestDb, identity, async (log, db) => {
      await recordReceipts(log, 5);
      const revisions = async () => (await db.events.find({ sort: [{ seq: 'asc' }] }).exec()).map((d) => d.revision);
      const before = await revisions();

      const first = await log.pending(3);
      expect(first.map((d) => d.seq)).toEqual([1, 2, 3]);
      await log.markAcked([1, 2, 3], 42, 1_000);
      expect(await revisions()).toEqual(before);
      expect(await log.pendingSummary()).toMatchObject({ count: 2 });
      expect(log.ackedAtOf(2)).toBe(1_000);
      expect(log.ackedAtOf(4)).toBeNull();
      expect(log.outbox.lastStreamSeq).toBe(42);

      // Anti-entropy: 2 is missing at the hub; 4 was never acknowledged, so it is not "re-queued".
      expect(await log.markPending([2, 4])).toBe(1);
      expect((await log.pending(10)).map((d) => d.seq)).toEqual([2, 4, 5]);
      expect(await log.pendingSummary()).toEqual({ count: 3, oldestRecordedAt: first[1]?.recordedAt });
      await log.markAcked([2, 4, 5], 45, 2_000);
      expect(log.ackedAtOf(2)).toBe(2_000);
      expect(await log.pendingSummary()).toEqual({ count: 0, oldestRecordedAt: null });

      // Kept across a restart.
      const reopened = new EventLog(db, identity);
      await reopened.init();
      expect(reopened.outbox).toEqual(log.outbox);
      expect(await revisions()).toEqual(before);
    }));

  it('keeps working when its outbox state cannot be read: everything is sent again, and it says so', () =>
    withEventLog(openMemoryTestDb, identity, async (log, db) => {
      await recordReceipts(log, 3);
      await log.markAcked([1, 2, 3], 3, 1_000);
      await db.meta.upsert({ key: 'outbox', value: { ackedThrough: 'three' } });

      const reopened = new EventLog(db, identity);
      await reopened.init();
      expect(reopened.outboxProblem).toMatch(/unreadable outbox state.*sent again/s);
      expect((await reopened.pending(10)).map((d) => d.seq)).toEqual([1, 2, 3]);
      const [next] = await recordReceipts(reopened, 1);
      expect(next?.seq).toBe(4);
    }));
});
