// The page of the local-commit benchmark (bundled by Vite, run in headless Chromium): the store
// node's real write path — SyncClient.record into RxDB on Dexie/IndexedDB with strict durability —
// against a raw Dexie `add` of the same document into an identical table, interleaved.
import type { DecidedEvent } from '@stocknerve/domain';
import { type EventDoc, eventSchema, openLocalDb, SyncClient } from '@stocknerve/sync';
import { getDexieDbWithTables, getRxStorageDexie } from 'rxdb/plugins/storage-dexie';

import type {} from '../src/scenarios/local-commit-page.js';

const sale = (i: number): DecidedEvent => ({
  type: 'SaleRecorded',
  data: {
    receiptId: `bench-r-${i}`,
    currency: 'EUR',
    totalCents: 1299,
    lines: [{ sku: `SKU-${String(i % 500).padStart(5, '0')}`, qty: 1, unitPriceCents: 1299 }],
  },
});

window.runLocalCommit = async (samples, warmup) => {
  const settings = { chromeTransactionDurability: 'strict' as const };
  const db = await openLocalDb({ name: 'bench-local-commit', storage: getRxStorageDexie(settings) });
  const client = new SyncClient({
    identity: { node: 'bench-t1', location: 'bench-store', region: 'bench' },
    db,
    // Offline: the outbox never sends, recording is all that is measured.
    connect: () => Promise.reject(new Error('offline')),
    restoreWhenEmpty: false,
  });
  await client.start();
  const { dexieTable } = await getDexieDbWithTables('bench-raw', 'events', settings, eventSchema);
  const record: number[] = [];
  const raw: number[] = [];
  let template: Record<string, unknown> = {};
  for (let i = 0; i < warmup + samples; i++) {
    const measure = i >= warmup;
    const viaClient = async () => {
      const t0 = performance.now();
      const [event] = await client.record([sale(i)], { correlationId: `bench-${i}` });
      if (measure) record.push(performance.now() - t0);
      template = event as unknown as Record<string, unknown>;
    };
    // The same document as the last recorded one, under a new id.
    const viaDexie = async () => {
      const id = `raw-${i}-${Math.random().toString(16).slice(2)}`;
      const doc: EventDoc & Record<string, unknown> = {
        id,
        seq: i + 1,
        type: 'SaleRecorded',
        event: { ...template, id },
        recordedAt: Date.now(),
        origin: 'local',
        _deleted: false,
        _rev: '1-bench',
        _attachments: {},
        _meta: { lwt: Date.now() },
      };
      const t0 = performance.now();
      await dexieTable.add(doc);
      if (measure) raw.push(performance.now() - t0);
    };
    // Alternate which goes first, so neither always follows the other's disk flush.
    if (i % 2 === 0) {
      await viaClient();
      await viaDexie();
    } else {
      await viaDexie();
      await viaClient();
    }
  }
  await client.stop();
  await db.close();
  return { record, raw };
};

const status = document.getElementById('status');
if (status) status.textContent = 'ready';
