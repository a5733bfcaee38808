import { describe, expect, it } from 'vitest';
import { openMemoryTestDb } from '../testing/sync-fixture.js';
import { EventLog } from './event-log.js';

const identity = { node: 'store-1-t1', location: 'store-1', region: 'north' };

describe('the event log', () => {
  it('reads back what it recorded as plain data, which can be posted to another thread', async () => {
    const db = await openMemoryTestDb();
    try {
      const log = new EventLog(db, identity);
      await log.init();
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
    } finally {
      await db.close();
    }
  });
});
