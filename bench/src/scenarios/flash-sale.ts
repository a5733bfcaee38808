import { join } from 'node:path';
import { eventFactory } from '@stocknerve/domain/testing';
import { storeEventSubject } from '@stocknerve/protocol';
import { freePort, makeTempDir, removeTempDir, waitFor } from '@stocknerve/test-harness';
import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { api, defineLocations, HubChild, hubEnv, TOKENS, waitIdle } from '../lib/hub.js';
import { NodeConnections, startBenchNats } from '../lib/nats.js';
import { collectProfile, profileArgs } from '../lib/profile.js';
import { distribution, nowMs } from '../lib/stats.js';

export interface FlashSize {
  readonly requests: number;
  readonly units: number;
}

interface Availability {
  locations: { location: string; onHand: number; reserved: number }[];
  channels: { channel: string; atp: number }[];
}

/**
 * (6) Flash sale: `units` units of one SKU at one store; `requests` reservation requests for 1 unit
 * each (distinct Idempotency-Keys) sent at once over HTTP to the hub (child process). Oversold =
 * units reserved beyond what is on hand, from the hub's answers and from its views afterwards.
 */
export const flashSaleScenario = async (size: FlashSize, options: BenchOptions): Promise<ScenarioResult> => {
  const r = result('flash', '6. Flash sale (concurrent reservations)');
  const dir = await makeTempDir('stocknerve-bench-flash');
  const server = await startBenchNats({ storeDir: join(dir, 'jetstream') });
  const prof = profileArgs(options, 'flash');
  const hub = new HubChild(
    'serve',
    { ...hubEnv(server), HUB_DB: join(dir, 'views.sqlite') },
    await freePort(),
    prof.args,
  );
  const location = 'flash-store';
  const terminal = { node: `${location}-t1`, location, region: 'central' };
  // The delivery is recorded by the store's terminal, signed in as itself.
  const nodes = await NodeConnections.open(server, [terminal]);
  try {
    await hub.ready();
    const sku = 'FLASH-1';
    await defineLocations(hub.url, [{ location, region: 'central', name: 'Flash store' }]);
    const node = eventFactory({ location, node: terminal.node, startMs: Date.now() - 60_000 });
    const received = node.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-flash', lines: [{ sku, qty: size.units }] },
    });
    const subject = storeEventSubject('central', location, received.node);
    await nodes.forSubject(subject).publish(subject, JSON.stringify(received), { msgID: received.id });
    const availability = async () =>
      (await api<Availability>(hub.url, 'GET', `/v1/availability/${sku}`, { token: TOKENS.ecommerce })).body;
    await waitFor(
      async () => (await availability()).locations.find((l) => l.location === location)?.onHand === size.units,
      {
        timeoutMs: 15_000,
        message: 'the flash stock in the views',
      },
    );
    await waitIdle(hub.pid);
    options.log(`  ${size.requests} reservations for ${size.units} units`);
    const statuses = new Map<number, number>();
    const latencies: number[] = [];
    const t0 = nowMs();
    await Promise.all(
      Array.from({ length: size.requests }, async (_, i) => {
        const start = nowMs();
        let status = 0;
        try {
          const response = await fetch(`${hub.url}/v1/reservations`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${TOKENS.ecommerce}`,
              'content-type': 'application/json',
              'idempotency-key': `flash-order-${i}`,
            },
            body: JSON.stringify({ channel: 'web', location, lines: [{ sku, qty: 1 }], ttlSeconds: 900 }),
          });
          await response.arrayBuffer();
          status = response.status;
        } catch {
          status = -1;
        }
        latencies.push(nowMs() - start);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
    );
    const wallMs = nowMs() - t0;
    const placed = statuses.get(201) ?? 0;
    const after = await availability();
    const cell = after.locations.find((l) => l.location === location);
    const reserved = cell?.reserved ?? 0;
    const oversold = Math.max(0, placed - size.units, reserved - (cell?.onHand ?? 0));
    const d = distribution(latencies);
    const other = [...statuses].filter(([s]) => s !== 201 && s !== 409);
    r.figures.push(
      fig('requests/s', (size.requests / wallMs) * 1000, 'req/s'),
      fig('p50', d.p50, 'ms'),
      fig('p99', d.p99, 'ms'),
      fig('placed / refused', `${placed} / ${statuses.get(409) ?? 0}`),
      fig('oversold units', oversold, 'units'),
    );
    r.targets.push(check('oversold units', oversold, '==', 0, 'units'));
    r.targets.push(check('every unit sold', placed, '==', size.units, 'reservations'));
    if (other.length > 0)
      r.notes.push(
        `unexpected answers: ${other.map(([s, n]) => `${n}× ${s === -1 ? 'network error' : s}`).join(', ')}`,
      );
    r.notes.push(
      `${size.requests} POST /v1/reservations at once (1 unit each, distinct Idempotency-Key) for ${size.units} units; hub as a child process; views afterwards: reserved ${reserved}, on hand ${cell?.onHand}, ATP ${after.channels[0]?.atp}.`,
    );
    Object.assign(r.data, {
      requests: size.requests,
      units: size.units,
      wallMs,
      statuses: Object.fromEntries(statuses),
      latency: d,
      reservedInViews: reserved,
      oversold,
    });
    return r;
  } finally {
    await nodes.close();
    await hub.kill(options.profile ? 'SIGTERM' : 'SIGKILL');
    await collectProfile(options, prof.dir, r.data);
    await server.dispose();
    await removeTempDir(dir);
  }
};
