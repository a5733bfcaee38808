import { join } from 'node:path';
import { acceptedEvents } from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { readEventStream } from '@stocknerve/hub/testing';
import { hubEventSubject, storeEventSubject } from '@stocknerve/protocol';
import { freePort, makeTempDir, removeTempDir, waitFor } from '@stocknerve/test-harness';
import {
  clusterAsServer,
  clusterHealth,
  clusterHubEnv,
  clusterRefusals,
  HubInstance,
  KeepAliveClient,
  startBenchCluster,
  waitForLeader,
} from '../lib/cluster.js';
import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { api, defineLocations, TOKENS } from '../lib/hub.js';
import { adminConnect, NodeConnections } from '../lib/nats.js';
import { distribution, nowMs, sleep } from '../lib/stats.js';

export interface FailoverSize {
  /** How many times the leader is killed. */
  readonly kills: number;
  /** Reservations per second of the steady load (over both instances). */
  readonly rate: number;
}

interface Availability {
  locations: { location: string; onHand: number; reserved: number }[];
}

/** Stock far beyond what the run reserves: no request is refused for stock, every 201 is one unit. */
const UNITS = 1_000_000;
/** How long a request of the steady load is retried (503, network errors) before it is given up. */
const GIVE_UP_MS = 60_000;

interface Acked {
  readonly key: string;
  readonly reservationId: string;
  readonly status: number;
  readonly instance: string;
  readonly seq: number;
}

/**
 * (12) Fail-over: 3 nats-servers, 2 hub instances (HUB_REPLICAS=3, default lease). A steady load of
 * reservations on both instances (each retried on 503 / network errors after 1 s with the same
 * Idempotency-Key, on the other instance first). `kills` times: the leader (from /health) is
 * SIGKILLed; fail-over time = from the kill to the first 201 the surviving instance answers (a new
 * reservation sent to it every 50 ms); the killed instance is started again (same id, port and
 * database) and must report as follower. At the end every acknowledged reservation (201, or 200 on
 * a retry) must be in the stream exactly once and in both instances' views; none duplicated, none
 * oversold.
 */
export const failoverScenario = async (size: FailoverSize, options: BenchOptions): Promise<ScenarioResult> => {
  const r = result('failover', '12. Fail-over (2 hub instances, 3 nats-servers)');
  const cluster = await startBenchCluster();
  const dir = await makeTempDir('stocknerve-bench-failover');
  const env = { ...clusterHubEnv(cluster), HUB_LOG_LEVEL: 'info' };
  const instances = [
    new HubInstance('hub-a', env, await freePort(), join(dir, 'hub-a.sqlite')),
    new HubInstance('hub-b', env, await freePort(), join(dir, 'hub-b.sqlite')),
  ] as const;
  const location = 'failover-store';
  const terminal = { node: `${location}-t1`, location, region: 'central' };
  const sku = 'FAILOVER-1';
  let nodes: NodeConnections | undefined;
  // One keep-alive client per instance and purpose; recreated after the instance restarts.
  const clients = new Map<string, KeepAliveClient>();
  const clientOf = (i: HubInstance, purpose: string) => {
    const key = `${i.id}/${purpose}/${i.pid}`;
    let c = clients.get(key);
    if (!c) {
      c = new KeepAliveClient(i.url);
      clients.set(key, c);
    }
    return c;
  };
  // The hubs log at info (lease changes), without the per-request and per-event lines.
  const QUIET = /"msg":"(http request|hub event recorded)"/;
  const outputs = () =>
    instances
      .map(
        (i) =>
          `=== ${i.id} ===\n${i
            .output()
            .split('\n')
            .filter((line) => !QUIET.test(line))
            .join('\n')
            .slice(-4000)}`,
      )
      .join('\n');
  try {
    await Promise.all(instances.map((i) => i.child.ready()));
    const first = await waitForLeader(instances);
    options.log(`  leader: ${first.id}`);
    await defineLocations(first.url, [{ location, region: 'central', name: 'Fail-over store' }]);
    nodes = await NodeConnections.open(clusterAsServer(cluster), [terminal]);
    const node = eventFactory({ location, node: terminal.node, startMs: Date.now() - 60_000 });
    const received = node.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-failover', lines: [{ sku, qty: UNITS }] },
    });
    const subject = storeEventSubject('central', location, received.node);
    await nodes.forSubject(subject).publish(subject, JSON.stringify(received), { msgID: received.id });
    const availability = async (i: HubInstance, minSeq = 0) =>
      (
        await api<Availability>(i.url, 'GET', `/v1/availability/${sku}`, {
          token: TOKENS.ecommerce,
          headers: minSeq > 0 ? { 'stocknerve-min-seq': String(minSeq) } : {},
        })
      ).body.locations.find((l) => l.location === location);
    for (const i of instances)
      await waitFor(async () => (await availability(i))?.onHand === UNITS, {
        timeoutMs: 15_000,
        message: `the stock in the views of ${i.id}`,
      });

    const acked = new Map<string, Acked>();
    const statuses: Record<string, number> = {};
    const count = (what: string) => {
      statuses[what] = (statuses[what] ?? 0) + 1;
    };
    const headers = { authorization: `Bearer ${TOKENS.ecommerce}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ channel: 'web', location, lines: [{ sku, qty: 1 }], ttlSeconds: 3600 });
    const post = (i: HubInstance, purpose: string, key: string) =>
      clientOf(i, purpose).request('POST', '/v1/reservations', { ...headers, 'idempotency-key': key }, body, 10_000);
    const record = (key: string, i: HubInstance, a: Awaited<ReturnType<typeof post>>) => {
      const reservationId = (JSON.parse(a.body) as { reservationId: string }).reservationId;
      acked.set(key, {
        key,
        reservationId,
        status: a.status,
        instance: i.id,
        seq: Number(a.headers['stocknerve-seq'] ?? 0),
      });
    };
    let retries = 0;
    let givenUp = 0;
    /** One reservation of the steady load: retried after 1 s on 503 or a network error, alternating instances. */
    const place = async (key: string, start: number) => {
      const t0 = nowMs();
      for (let attempt = 0; nowMs() - t0 < GIVE_UP_MS; attempt++) {
        const i = instances[(start + attempt) % 2] as HubInstance;
        const a = await post(i, 'load', key);
        count(`load ${a.status === -1 ? 'network error' : a.status}`);
        if (a.status === 201 || a.status === 200) {
          record(key, i, a);
          return;
        }
        if (a.status !== 503 && a.status !== -1) return;
        retries++;
        await sleep(1000);
      }
      givenUp++;
    };
    let stop = false;
    let sent = 0;
    const pending: Promise<void>[] = [];
    const load = (async () => {
      const t0 = nowMs();
      while (!stop) {
        pending.push(place(`load-${sent}`, sent % 2));
        sent++;
        const next = t0 + (sent * 1000) / size.rate;
        await sleep(Math.max(0, next - nowMs()));
      }
    })();

    const failovers: {
      kill: number;
      killed: string;
      survivor: string;
      failoverMs: number;
      probes: Record<string, number>;
      rejoinMs: number;
    }[] = [];
    for (let k = 0; k < size.kills; k++) {
      await sleep(2000);
      const leader = await waitForLeader(instances, 30_000);
      const survivor = instances.find((i) => i !== leader) as HubInstance;
      const tKill = nowMs();
      await leader.kill('SIGKILL');
      let failoverMs = Number.NaN;
      const probes: Record<string, number> = {};
      const inFlight: Promise<void>[] = [];
      for (let p = 0; Number.isNaN(failoverMs) && nowMs() - tKill < 30_000; p++) {
        const key = `probe-${k}-${p}`;
        inFlight.push(
          post(survivor, `probe-${p % 64}`, key).then((a) => {
            probes[a.status] = (probes[a.status] ?? 0) + 1;
            if (a.status === 201 || a.status === 200) {
              record(key, survivor, a);
              if (Number.isNaN(failoverMs)) failoverMs = nowMs() - tKill;
            }
          }),
        );
        await sleep(50);
      }
      await Promise.all(inFlight);
      // Started again with the same id, port and database: it must come back as a follower.
      const tRestart = nowMs();
      leader.restart();
      await leader.child.ready();
      let rejoinMs = Number.NaN;
      for (const deadline = nowMs() + 30_000; nowMs() < deadline; await sleep(100)) {
        const h = await clusterHealth(leader.url);
        if (h?.cluster?.role === 'follower' && h.cluster.leader === survivor.id) {
          rejoinMs = nowMs() - tRestart;
          break;
        }
      }
      failovers.push({ kill: k + 1, killed: leader.id, survivor: survivor.id, failoverMs, probes, rejoinMs });
      options.log(
        `  kill ${k + 1}: ${leader.id} killed, ${survivor.id} answered 201 after ${Math.round(failoverMs)} ms; ${leader.id} back as follower after ${Math.round(rejoinMs)} ms (probes ${JSON.stringify(probes)})`,
      );
    }
    await sleep(2000);
    stop = true;
    await load;
    await Promise.all(pending);

    // What the stream holds: every ReservationPlaced of the hub subject, by reservation and by key.
    const maxSeq = Math.max(0, ...[...acked.values()].map((a) => a.seq));
    const placedById = new Map<string, number>();
    const idsByKey = new Map<string, Set<string>>();
    const admin = await adminConnect(clusterAsServer(cluster), { name: 'bench-failover-check' });
    try {
      const messages = (await readEventStream(admin, hubEventSubject())).flatMap((m) => (m.parsed ? [m.parsed] : []));
      // The hub's rule: a fenced group (a deposed leader's) holds nothing.
      for (const e of acceptedEvents(messages)) {
        if (e.type !== 'ReservationPlaced') continue;
        placedById.set(e.data.reservationId, (placedById.get(e.data.reservationId) ?? 0) + 1);
        const set = idsByKey.get(e.data.idempotencyKey) ?? new Set<string>();
        set.add(e.data.reservationId);
        idsByKey.set(e.data.idempotencyKey, set);
      }
    } finally {
      await admin.close().catch(() => undefined);
    }
    const ackedList = [...acked.values()];
    const lostInStream = ackedList.filter((a) => !placedById.has(a.reservationId));
    const duplicatedIds = [...placedById].filter(([, n]) => n > 1);
    const duplicatedKeys = [...idsByKey].filter(([, ids]) => ids.size > 1);
    // And in each instance's views (read once they hold every acknowledged answer's position).
    const missingInViews: Record<string, number> = {};
    const reservedInViews: Record<string, number> = {};
    let oversold = 0;
    for (const i of instances) {
      let missing = 0;
      for (let start = 0; start < ackedList.length; start += 20)
        await Promise.all(
          ackedList.slice(start, start + 20).map(async (a) => {
            const got = await api(i.url, 'GET', `/v1/reservations/${encodeURIComponent(a.reservationId)}`, {
              token: TOKENS.ecommerce,
              headers: { 'stocknerve-min-seq': String(maxSeq) },
              ok: [200, 404],
            });
            if (got.status !== 200) missing++;
          }),
        );
      missingInViews[i.id] = missing;
      const cell = await availability(i, maxSeq);
      reservedInViews[i.id] = cell?.reserved ?? 0;
      oversold = Math.max(oversold, (cell?.reserved ?? 0) - (cell?.onHand ?? 0));
    }
    const lost = Math.max(lostInStream.length, ...Object.values(missingInViews));
    const duplicated = duplicatedIds.length + duplicatedKeys.length;
    const times = failovers.map((f) => f.failoverMs);
    const d = distribution(times.filter((t) => Number.isFinite(t)));
    const failed = times.filter((t) => !Number.isFinite(t)).length;
    r.figures.push(
      fig('fail-over p50', d.p50, 'ms'),
      fig('fail-over max', failed > 0 ? Number.POSITIVE_INFINITY : d.max, 'ms'),
      fig('kills', `${size.kills} (${failed} without a 201 within 30 s)`),
      fig('rejoin as follower (max)', Math.max(...failovers.map((f) => f.rejoinMs)), 'ms'),
      fig('acknowledged reservations', ackedList.length),
      fig('lost', lost),
      fig('duplicated', duplicated),
      fig('oversold units', Math.max(0, oversold), 'units'),
      fig('load requests given up (60 s of retries)', givenUp),
    );
    r.targets.push(
      check('fail-over max', failed > 0 ? Number.POSITIVE_INFINITY : d.max, '<=', 5000, 'ms'),
      check('lost', lost, '==', 0),
      check('duplicated', duplicated, '==', 0),
      check('oversold units', Math.max(0, oversold), '==', 0, 'units'),
    );
    const distinctPlaced = placedById.size;
    if (Object.values(reservedInViews).some((n) => n !== distinctPlaced))
      r.notes.push(
        `reserved units in the views (${JSON.stringify(reservedInViews)}) differ from the reservations placed in the stream (${distinctPlaced}).`,
      );
    r.notes.push(
      `3 nats-servers (operator mode, R3 streams), 2 hub instances (child processes, HUB_REPLICAS=3, HUB_LEASE_MS default 3,000, each its own SQLite file). Steady load ${size.rate} reservations/s alternating between the instances (1 unit each, new Idempotency-Key; on 503 or a network error retried after 1 s on the other instance, same key; given up after ${GIVE_UP_MS / 1000} s).`,
      `Each kill: the leader (from /health) SIGKILLed; fail-over = kill → first 201 answered by the surviving instance (a new reservation sent to it every 50 ms). Times: ${times.map((t) => Math.round(t)).join(', ')} ms. The killed instance restarted with the same id, port and database; rejoin = restart → its /health says follower of the survivor (${failovers.map((f) => Math.round(f.rejoinMs)).join(', ')} ms).`,
      `Check: ${ackedList.length} reservations answered 201/200 (load ${sent} sent, ${retries} retries; answers ${JSON.stringify(statuses)}); in the stream ${distinctPlaced} ReservationPlaced (distinct ids), acknowledged but not in the stream ${lostInStream.length}; missing from the views (GET /v1/reservations/:id with Stocknerve-Min-Seq ${maxSeq}) ${JSON.stringify(missingInViews)}; ids placed twice ${duplicatedIds.length}, keys with two ids ${duplicatedKeys.length}; reserved in the views ${JSON.stringify(reservedInViews)}.`,
    );
    Object.assign(r.data, {
      kills: size.kills,
      rate: size.rate,
      failovers,
      failoverMs: d,
      acknowledged: ackedList.length,
      loadSent: sent,
      retries,
      givenUp,
      statuses,
      placedInStream: distinctPlaced,
      lostInStream: lostInStream.slice(0, 20),
      missingInViews,
      duplicatedIds: duplicatedIds.slice(0, 20),
      duplicatedKeys: duplicatedKeys.slice(0, 20).map(([k, ids]) => [k, [...ids]]),
      reservedInViews,
      oversold,
    });
    if (failed > 0 || lost > 0 || duplicated > 0) r.data.hubOutput = outputs();
    const refused = clusterRefusals(cluster);
    if (refused.length > 0) {
      r.error = `a nats-server of the cluster refused a client ${refused.length} time(s): ${refused[0]?.trim()}`;
      r.data.refusals = refused.slice(0, 20);
    }
    return r;
  } catch (error) {
    throw new Error(`${String((error as Error)?.message ?? error)}\nhub output:\n${outputs()}`);
  } finally {
    for (const c of clients.values()) c.close();
    await nodes?.close();
    for (const i of instances) await i.kill('SIGKILL');
    await cluster.dispose();
    await removeTempDir(dir);
  }
};
