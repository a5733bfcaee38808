import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { encodeEventGroup, type HubCommand } from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { hubEventSubject } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { received, storeNode } from '../http/api-test-kit.js';
import type { HubHandle } from '../hub.js';
import { natsClient, readEventStream, recordHubFacts, startTestHub } from '../testing/hub-fixture.js';

// Commands queued while the leader appends are decided together, one after the other against the
// views plus the effects of those before them, and appended as one message.

let server: NatsServerProcess;
let hub: HubHandle;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  ({ nc } = await natsClient(server));
  await recordHubFacts(hub, [
    { type: 'LocationDefined', data: { location: 'store-1', region: 'north', kind: 'store', name: 'One' } },
  ]);
  const till = storeNode(jetstream(nc), { location: 'store-1', region: 'north', node: 'store-1-t1' });
  const seq = await till.publish(received('po-1', [{ sku: 'SKU-G', qty: 50 }]));
  await hub.ctx.projector.waitFor(seq, 10_000);
});
afterAll(async () => {
  await nc?.close();
  await hub?.close();
  await server?.dispose();
});

const place = (key: string, qty = 1): HubCommand => ({
  type: 'PlaceReservation',
  data: {
    reservationId: `r-${key}`,
    channel: 'web',
    location: 'store-1',
    lines: [{ sku: 'SKU-G', qty }],
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    idempotencyKey: key,
  },
});

/** The number of events in each message of the hub subject (-1: one that does not parse). */
const hubMessages = async () =>
  (await readEventStream(nc, hubEventSubject())).map((m) => m.parsed?.events.length ?? -1);

describe('group commit', () => {
  it('decides a burst together: as many holds as units, every other order refused, in few appends', async () => {
    const before = hub.ctx.bus.stats.groups;
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) => hub.ctx.bus.execute(place(`burst-${i}`), { correlationId: `c-${i}` })),
    );
    const placed = results.filter((r) => r.decision.ok && r.events.length === 1);
    const refused = results.filter((r) => !r.decision.ok);
    expect(placed).toHaveLength(50);
    expect(refused).toHaveLength(350);
    expect(refused.every((r) => !r.decision.ok && r.decision.code === 'InsufficientStock')).toBe(true);
    // Answered only once applied: the views hold every hold the answers gave.
    expect(
      hub.ctx.store.get<{ reserved: number }>("SELECT reserved FROM stock WHERE location = 'store-1' AND sku = 'SKU-G'")
        ?.reserved,
    ).toBe(50);
    for (const r of placed) expect(hub.ctx.projector.checkpoint).toBeGreaterThanOrEqual(r.position);
    const groups = hub.ctx.bus.stats.groups - before;
    expect(groups).toBeGreaterThan(0);
    expect(groups).toBeLessThan(50);
    const sizes = await hubMessages();
    expect(sizes.some((n) => n > 1)).toBe(true);
    expect(sizes.reduce((a, n) => a + n, 0)).toBe(1 + 50);
  });

  it('answers a key sent twice in one group with the same reservation, recorded once', async () => {
    await hub.ctx.bus.execute(
      { type: 'ReleaseReservation', data: { reservationId: 'r-burst-0', reason: 'cancelled' } },
      { correlationId: 'free-one' },
    );
    const [first, second] = await Promise.all([
      hub.ctx.bus.execute(place('twice'), { correlationId: 'twice-1' }),
      hub.ctx.bus.execute(place('twice'), { correlationId: 'twice-2' }),
    ]);
    expect(first?.decision.ok).toBe(true);
    expect(first?.events).toHaveLength(1);
    // The second saw the first's hold in its group: a replay, no event of its own.
    expect(second?.decision.ok).toBe(true);
    expect(second?.events).toHaveLength(0);
    expect(second?.position).toBeGreaterThanOrEqual(first?.position ?? 0);
    const holds = hub.ctx.store.all("SELECT 1 FROM reservations WHERE idempotency_key = 'twice'");
    expect(holds).toHaveLength(1);
  });

  it("dead-letters a hub group that does not continue the hub's chain, whatever JetStream took", async () => {
    const last = hub.ctx.store.get<{ event_id: string; seq: number }>(
      `SELECT a.event_id, a.seq FROM node_status n JOIN applied_events a
         ON a.stream_seq = n.last_event_stream_seq AND a.node = n.node AND a.seq = n.max_seq WHERE n.node = 'hub'`,
    );
    if (!last) throw new Error('no hub event yet');
    const writer = eventFactory({ location: 'hub', node: 'hub', startMs: Date.now() });
    const fact = (seq: number, location: string) => ({
      ...writer.next({ type: 'LocationDefined', data: { location, region: 'north', kind: 'store', name: location } }),
      seq,
    });
    const js = jetstream(nc);
    // Two writers' groups after the same event, both taken by JetStream (no expectation sent).
    const taken = fact(last.seq + 1, 'store-f1');
    await js.publish(hubEventSubject(), encodeEventGroup([taken], last.event_id));
    const late = await js.publish(hubEventSubject(), encodeEventGroup([fact(last.seq + 1, 'store-f2')], last.event_id));
    // Decided on top of the late one: same length, so its seqs would continue the chain's.
    const onTop = await js.publish(hubEventSubject(), encodeEventGroup([fact(last.seq + 2, 'store-f3')], 'late-id'));
    await hub.ctx.projector.waitFor(onTop.seq, 10_000);
    expect(late.seq).toBeLessThan(onTop.seq);
    const locations = hub.ctx.store.all<{ location: string }>(
      "SELECT location FROM locations WHERE location LIKE 'store-f%'",
    );
    expect(locations.map((l) => l.location)).toEqual(['store-f1']);
    expect(hub.ctx.store.get<{ count: number }>("SELECT count FROM dead_letters WHERE reason = 'fenced'")?.count).toBe(
      2,
    );
    // The hub's writer goes on from the views: once it has re-read them, after `taken`.
    const define = () =>
      hub.ctx.bus.execute(
        { type: 'DefineLocation', data: { location: 'store-f4', region: 'north', kind: 'store', name: 'F4' } },
        { correlationId: 'after-fence' },
      );
    // Its first append expected the hub subject as it last wrote it: JetStream refuses it.
    await expect(define()).rejects.toThrow(/wrong last sequence/);
    const next = await define();
    expect(next.events).toHaveLength(1);
    expect(next.events[0]?.seq).toBe(last.seq + 2);
    expect(hub.ctx.store.get("SELECT 1 FROM locations WHERE location = 'store-f4'")).toBeTruthy();
  });
});
