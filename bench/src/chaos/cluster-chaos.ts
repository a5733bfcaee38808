import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  acceptedEvents,
  foldEvents,
  type InventoryEvent,
  initialInventoryState,
  type MessageEvents,
  stockFiguresOf,
} from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { dumpViews, stockFiguresByCell } from '@stocknerve/hub';
import { createLogger, ensureViewSchema, openSqliteStore, rebuildViews, ViewWriter } from '@stocknerve/hub/internal';
import { readEventStream } from '@stocknerve/hub/testing';
import { NAMES, storeEventSubject } from '@stocknerve/protocol';
import { freePort, makeTempDir, type NatsCluster, removeTempDir } from '@stocknerve/test-harness';
import {
  clusterAsServer,
  clusterHealth,
  clusterHubEnv,
  clusterRefusals,
  HubInstance,
  startBenchCluster,
  waitForLeader,
} from '../lib/cluster.js';
import { api, defineLocations, TOKENS } from '../lib/hub.js';
import { adminConnect, issueTerminalCredentials, NodeConnections } from '../lib/nats.js';
import { nowMs, sleep } from '../lib/stats.js';
import type { Fleet } from '../simulator/fleet.js';
import { Prng } from '../simulator/prng.js';
import { createFleet, ShardedFleet } from '../simulator/worker-fleet.js';
import { type NodeSpec, worldLayout } from '../simulator/world.js';

export interface ClusterChaosOptions {
  readonly seed: string;
  /** Seconds of faults (then healing and quiescence). */
  readonly durationS: number;
  readonly regions?: number;
  readonly storesPerRegion?: number;
  readonly terminalsPerStore?: number;
  /** Store events per second recorded across all nodes. */
  readonly rate?: number;
  /** In this thread (at most 4 nodes, all on one server's URL) or in worker threads (locations spread over the servers). */
  readonly fleetMode?: 'in-process' | 'workers';
  /** Reservation requests per second of the storefront load. */
  readonly reservationRate?: number;
  /** Hot SKUs the storefront reserves (1 unit per order). */
  readonly hotSkus?: number;
  /** Units received per hot SKU; default: about 60 % of the orders the run sends find stock. */
  readonly stockPerSku?: number;
  /** HUB_LEASE_MS for every instance (the hub's default when absent: 3000). */
  readonly leaseMs?: number;
  /** How long the paused leader stays SIGSTOPped, ms (longer than the lease). Default lease + 1500. */
  readonly pauseMs?: number;
  /** How long to wait for everything to settle after healing, s. */
  readonly quiesceTimeoutS?: number;
  readonly log?: (line: string) => void;
}

export type FaultKind = 'leader-kill' | 'nats-kill' | 'leader-stop';

/** One fault, and what was observed after it. */
export interface FaultRecord {
  readonly kind: FaultKind;
  /** Seconds since the faults began. */
  readonly atS: number;
  /** The hub instance or nats-server hit. */
  readonly victim: string;
  /** Leader faults: from the fault until the other instances agreed on a new leader (ms); NaN if never. */
  readonly electionMs: number;
  /** From the fault until the first reservation sent after it was decided (201/200/409), ms; NaN if none. */
  readonly firstDecisionMs: number;
  /** When the fault happened (nowMs clock). */
  readonly faultAt: number;
  /** From the restart / SIGCONT until all three instances named one leader again, ms; NaN if never. */
  readonly rejoinMs: number;
  /** leader-stop: the woken instance reported itself follower (it stepped down). */
  readonly steppedDown?: boolean;
  /** The leader once everything agreed again. */
  readonly leaderAfter: string;
}

export interface InstanceCheck {
  readonly instance: string;
  /** Store events applied (applied_events without the hub's own). */
  readonly applied: number;
  /** Recorded by a node but not applied by this instance. */
  readonly lost: number;
  /** Applied by this instance but recorded by no node. */
  readonly phantom: number;
  readonly mismatchingCells: number;
  readonly mismatches: { cell: string; hub: unknown; fold: unknown }[];
  /** View tables that differ from a clean replay of the stream. */
  readonly replayDiffTables: string[];
  readonly checkpoint: number;
  /** Restarts of the process (SIGKILLs) during the run. */
  readonly restarts: number;
  /** Dead letters by reason (none expected: nothing malformed is published in this run). */
  readonly deadLetters: Record<string, number>;
}

export interface ClusterChaosReport {
  readonly seed: string;
  readonly nodes: number;
  readonly faults: Record<FaultKind | 'nodeCuts' | 'nodeResends', number>;
  readonly faultLog: FaultRecord[];
  /** Events in the nodes' local logs. */
  readonly recorded: number;
  /** Store messages in the stream, distinct store events among them. */
  readonly storeMessages: number;
  readonly storeEventsInStream: number;
  /** Hub messages (single events or groups) and the events they carry. */
  readonly hubMessages: number;
  /** Hub messages the hub's chain rule refused (a deposed leader's late groups): applied by nobody. */
  readonly fencedHubMessages: number;
  readonly hubEvents: number;
  /** Recorded by a node, not in the stream. */
  readonly lostInStream: number;
  readonly instances: InstanceCheck[];
  readonly reservations: {
    readonly sent: number;
    readonly placed: number;
    readonly refused: number;
    /** Orders that got no decision before the load ended (decided afterwards by the final retries). */
    readonly decidedLate: number;
    readonly undecided: number;
    readonly statuses: Record<string, number>;
    /** Requests sent again with the same key after a 503 / network error / timeout. */
    readonly retries: number;
    /** Answered 201/200 but not in the stream (or not exactly once). */
    readonly answeredMissing: number;
    readonly answeredDuplicated: number;
    /** Keys with more than one ReservationPlaced, or answered with two different reservations. */
    readonly keysPlacedTwice: number;
    readonly keysAnsweredTwoIds: number;
    /** Placed in the stream for a key never answered 201/200. */
    readonly placedUnanswered: number;
    /** Same key sent again at the end: answered 200 with the original reservation. */
    readonly replayedKeys: number;
    readonly replayMismatches: number;
    /**
     * Suspect keys (more than one ReservationPlaced, placed but never answered 201/200, or a reservation
     * id placed twice): the placements in the stream, what the client saw, and each instance's row.
     */
    readonly suspects: {
      key: string;
      why: string;
      placements: {
        reservationId: string;
        seq: number;
        idx: number;
        writer: string;
        at: string;
        eventId: string;
        hubSeq: number;
      }[];
      attempts: string[];
      views: string[];
    }[];
    /** Per hot SKU: units received, reserved in the fold, ReservationPlaced in the stream. */
    readonly skus: { sku: string; stock: number; reserved: number; placedInStream: number }[];
    readonly oversold: number;
  };
  readonly quiesced: boolean;
  readonly quiesceMs: number;
  readonly refusals: string[];
  readonly ok: boolean;
  readonly problems: string[];
  /** What each instance logged (warn and above, across restarts), grouped by message, most frequent first. */
  readonly hubLog: Record<string, { line: string; count: number }[]>;
}

const WEB_LOCATION = 'chaos-web';

interface Decision {
  readonly sentAt: number;
  readonly at: number;
  readonly status: number;
}

/**
 * The chaos test on a cluster: 3 nats-servers (operator mode, R3 stream and buckets), 3 hub
 * instances (hub-a/b/c, child processes, each its own views file), the simulated fleet publishing
 * through the cluster, and a steady storefront load of 1-unit reservations of a few hot SKUs with
 * limited stock (so that some are refused 409), each retried on 503 / network errors / timeouts
 * with the same Idempotency-Key on another instance. Faults, one at a time, drawn from a seeded
 * PRNG: SIGKILL of the leader (restarted after a few seconds, same id and database), SIGKILL of one
 * nats-server (restarted after a few seconds), SIGSTOP of the leader for longer than its lease (then
 * SIGCONT); nodes are cut off and made to re-send meanwhile. Then everything is healed, the load
 * stops, and once quiescent the stream is read back and every instance (stopped with SIGTERM, its
 * SQLite file opened) is compared with an independent fold of the stream and a clean replay.
 */
export const runClusterChaos = async (options: ClusterChaosOptions): Promise<ClusterChaosReport> => {
  const log = options.log ?? (() => undefined);
  const prng = new Prng(options.seed);
  const layout = worldLayout({
    regions: options.regions ?? 2,
    locationsPerRegion: options.storesPerRegion ?? 1,
    nodesPerLocation: options.terminalsPerStore ?? 2,
    skus: 60,
    prefix: 'chaos',
  });
  const reservationRate = options.reservationRate ?? 30;
  const hotSkus = Array.from({ length: options.hotSkus ?? 3 }, (_, i) => `HOT-${i + 1}`);
  const stockPerSku =
    options.stockPerSku ?? Math.max(10, Math.ceil((reservationRate * options.durationS * 0.6) / hotSkus.length));
  const leaseMs = options.leaseMs ?? 3000;
  const pauseMs = options.pauseMs ?? leaseMs + 1500;
  const webRegion = layout.locations[0]?.region ?? 'north';
  const webTerminal = { node: `${WEB_LOCATION}-t1`, location: WEB_LOCATION, region: webRegion };

  const dir = await makeTempDir('stocknerve-cluster-chaos');
  const faults: ClusterChaosReport['faults'] = {
    'leader-kill': 0,
    'nats-kill': 0,
    'leader-stop': 0,
    nodeCuts: 0,
    nodeResends: 0,
  };
  const faultLog: FaultRecord[] = [];
  const problems: string[] = [];
  let cluster: NatsCluster | undefined;
  let instances: HubInstance[] = [];
  const restarts = new Map<string, number>();
  let fleet: Fleet | undefined;
  let nc: NatsConnection | undefined;
  let web: NodeConnections | undefined;
  const stopped = new Set<HubInstance>();

  /** Starts (or restarts) an instance until its /health answers; false after repeated failures. */
  const bringUp = async (i: HubInstance, restart: boolean): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      if (restart || attempt > 1) {
        if (i.child.running) await i.kill('SIGKILL');
        i.restart();
      }
      try {
        await i.child.ready(30_000);
        return;
      } catch (error) {
        if (attempt >= 10) throw error;
        await sleep(500);
      }
    }
  };

  const hubLog = (): ClusterChaosReport['hubLog'] =>
    Object.fromEntries(instances.map((i) => [i.id, summarizeLog(i.output())]));

  try {
    cluster = await startBenchCluster();
    const server = clusterAsServer(cluster);
    const env: Record<string, string> = {
      ...clusterHubEnv(cluster),
      HUB_LOG_LEVEL: 'warn',
      HUB_EXPIRY_SWEEP_MS: '1000',
      ...(options.leaseMs === undefined ? {} : { HUB_LEASE_MS: String(options.leaseMs) }),
    };
    // One after another: the first creates the streams and buckets.
    for (const id of ['hub-a', 'hub-b', 'hub-c']) {
      const i = new HubInstance(id, env, await freePort(), join(dir, `${id}.sqlite`));
      instances.push(i);
      await bringUp(i, false);
    }
    const all = instances;
    const first = await waitForLeader(all, 60_000);
    log(`cluster-chaos: 3 nats-servers, instances ${all.map((i) => i.id).join(', ')}, leader ${first.id}`);
    await defineLocations(first.url, [...layout.locations, { location: WEB_LOCATION, region: webRegion, name: 'Web' }]);

    const reconnecting = { maxReconnectAttempts: -1, reconnectTimeWait: 250 };
    nc = await adminConnect(server, { name: 'cluster-chaos-monkey', ...reconnecting });
    const js = jetstream(nc);
    const jsm = await js.jetstreamManager();

    // The storefront's stock: received by the web location's own terminal.
    web = await NodeConnections.open(server, [webTerminal], reconnecting);
    const factory = eventFactory({ location: WEB_LOCATION, node: webTerminal.node, startMs: Date.now() - 60_000 });
    const receipt = factory.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-cluster-chaos', lines: hotSkus.map((sku) => ({ sku, qty: stockPerSku })) },
    });
    const webSubject = storeEventSubject(webRegion, WEB_LOCATION, webTerminal.node);
    const receiptAck = await web
      .forSubject(webSubject)
      .publish(webSubject, JSON.stringify(receipt), { msgID: receipt.id, timeout: 10_000 });
    for (const i of all)
      await api(i.url, 'GET', `/v1/availability/${hotSkus[0]}`, {
        token: TOKENS.ecommerce,
        headers: { 'stocknerve-min-seq': String(receiptAck.seq) },
      });

    // The fleet: in this thread on one server's URL, or in workers with the locations spread over the servers.
    const credentials = await issueTerminalCredentials(server, layout.nodes);
    const fleetBase = {
      credentials,
      skus: layout.skus,
      heartbeatMs: 1000,
      antiEntropyGraceMs: 3000,
      cutMode: 'fail' as const,
    };
    if ((options.fleetMode ?? 'in-process') === 'in-process') {
      fleet = createFleet(
        { ...fleetBase, natsUrl: cluster.urls[0] as string, nodes: layout.nodes, seed: `${options.seed}/fleet` },
        'in-process',
      );
    } else {
      const byServer = cluster.urls.map(() => [] as NodeSpec[]);
      layout.locations.forEach((l, k) => {
        byServer[k % byServer.length]?.push(...layout.nodes.filter((n) => n.location === l.location));
      });
      fleet = new ShardedFleet(
        byServer.flatMap((nodes, s) =>
          nodes.length === 0
            ? []
            : [
                {
                  fleet: createFleet(
                    { ...fleetBase, natsUrl: cluster?.urls[s] as string, nodes, seed: `${options.seed}/fleet-${s}` },
                    'workers',
                  ),
                  nodes: nodes.length,
                },
              ],
        ),
      );
    }
    await fleet.start();
    const activeFleet = fleet;
    await activeFleet.setRate(options.rate ?? 40);
    log(
      `cluster-chaos: ${layout.nodes.length} nodes, ${reservationRate} reservations/s on ${hotSkus.length} SKUs × ${stockPerSku} units, seed ${options.seed}, ${options.durationS} s of faults`,
    );

    // --- The storefront load -------------------------------------------------------------------
    const answered = new Map<string, string>(); // key → reservationId (201/200)
    const answeredTwoIds = new Set<string>();
    const refused = new Set<string>();
    const statuses: Record<string, number> = {};
    const decisions: Decision[] = [];
    let retries = 0;
    let sent = 0;
    let loadStopped = false;
    // An order of the load is retried until decided, or until this (set when the load stops).
    let orderDeadline = Number.POSITIVE_INFINITY;
    const undecidedKeys: { key: string; sku: string }[] = [];
    const skuOf = new Map<string, string>();
    /** What each attempt of an order got: `+ms instance status reservationId|error`. */
    const attemptsOf = new Map<string, string[]>();
    const loadStart = nowMs();
    const count = (s: string) => {
      statuses[s] = (statuses[s] ?? 0) + 1;
    };
    const post = async (i: HubInstance, key: string, sku: string) => {
      try {
        const r = await fetch(`${i.url}/v1/reservations`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${TOKENS.ecommerce}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify({ channel: 'web', location: WEB_LOCATION, lines: [{ sku, qty: 1 }], ttlSeconds: 3600 }),
          signal: AbortSignal.timeout(8000),
        });
        const text = await r.text();
        let body: Record<string, unknown> = {};
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          body = { raw: text.slice(0, 200) };
        }
        return { status: r.status, body, timedOut: false };
      } catch (error) {
        return { status: -1, body: { error: String(error) }, timedOut: (error as Error)?.name === 'TimeoutError' };
      }
    };
    const noteAnswer = (key: string, status: number, body: Record<string, unknown>) => {
      if (status === 201 || status === 200) {
        const id = String(body.reservationId ?? '');
        const earlier = answered.get(key);
        if (earlier !== undefined && earlier !== id) answeredTwoIds.add(key);
        answered.set(key, id);
        return true;
      }
      if (status === 409) {
        refused.add(key);
        return true;
      }
      return false;
    };
    /** One order until decided (201/200/409) or until `untilMs`; rotates over the instances. */
    const order = async (key: string, sku: string, start: number, until: () => number): Promise<boolean> => {
      for (let attempt = 0; nowMs() < until(); attempt++) {
        const i = all[(start + attempt) % all.length] as HubInstance;
        const sentAt = nowMs();
        const a = await post(i, key, sku);
        count(a.status === -1 ? (a.timedOut ? 'timeout' : 'network error') : String(a.status));
        const list = attemptsOf.get(key) ?? [];
        list.push(
          `+${Math.round(sentAt - loadStart)}..${Math.round(nowMs() - loadStart)} ms ${i.id} ${a.status} ${String(a.body.reservationId ?? a.body.error ?? a.body.message ?? '').slice(0, 160)}`,
        );
        attemptsOf.set(key, list);
        if (noteAnswer(key, a.status, a.body)) {
          decisions.push({ sentAt, at: nowMs(), status: a.status });
          return true;
        }
        if (a.status !== 503 && a.status !== -1 && a.status < 500) {
          problems.push(`order ${key}: unexpected answer ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
          return true;
        }
        retries++;
        await sleep(a.status === 503 ? 1000 : 250);
      }
      return false;
    };
    const loadPrng = prng.fork('orders');
    const pending = new Set<Promise<void>>();
    const load = (async () => {
      const t0 = nowMs();
      while (!loadStopped) {
        const n = sent++;
        const key = `${options.seed}-order-${n}`;
        const sku = loadPrng.pick(hotSkus);
        skuOf.set(key, sku);
        const p = order(key, sku, n, () => orderDeadline).then(() => undefined);
        pending.add(p);
        void p.finally(() => pending.delete(p));
        await sleep(Math.max(0, t0 + ((n + 1) * 1000) / reservationRate - nowMs()));
      }
    })();

    // --- Faults --------------------------------------------------------------------------------
    const started = loadStart;
    const endAt = started + options.durationS * 1000;
    const running = () => nowMs() < endAt;
    const firstDecisionAfter = (t: number) => {
      const after = decisions.filter((d) => d.sentAt >= t);
      return after.length === 0 ? Number.NaN : Math.min(...after.map((d) => d.at)) - t;
    };
    const electedAmong = async (others: HubInstance[], t0: number, timeoutMs = 30_000) => {
      try {
        const leader = await waitForLeader(others, timeoutMs);
        return { leader, ms: nowMs() - t0 };
      } catch (error) {
        problems.push(`no leader among ${others.map((o) => o.id).join(', ')}: ${String(error).slice(0, 600)}`);
        return { leader: undefined, ms: Number.NaN };
      }
    };
    /** Waits until every replica of the event stream is current (before the next nats-server may go). */
    const streamHealthy = async (timeoutMs = 30_000) => {
      const deadline = nowMs() + timeoutMs;
      while (nowMs() < deadline) {
        const info = await jsm.streams.info(NAMES.eventStream).catch(() => undefined);
        const c = info?.cluster;
        if (c?.leader && (c.replicas ?? []).length === 2 && (c.replicas ?? []).every((r) => r.current && !r.offline))
          return true;
        await sleep(250);
      }
      return false;
    };
    const faultPrng = prng.fork('faults');
    const kinds: FaultKind[] = ['leader-kill', 'nats-kill', 'leader-stop'];
    const round: FaultKind[] = [];
    const nextKind = () => {
      if (round.length === 0) {
        // Every kind once per round, in a seeded order.
        const pool = [...kinds];
        while (pool.length > 0) round.push(pool.splice(faultPrng.int(0, pool.length - 1), 1)[0] as FaultKind);
      }
      return round.shift() as FaultKind;
    };
    const faultLane = (async () => {
      await sleep(2000);
      // Until the time is up, and at least one fault of every kind.
      while (running() || kinds.some((k) => faults[k] === 0)) {
        await sleep(faultPrng.int(1000, 3000));
        const kind = nextKind();
        const t0 = nowMs();
        const atS = (t0 - started) / 1000;
        faults[kind]++;
        if (kind === 'nats-kill') {
          const k = faultPrng.int(0, cluster?.servers.length ? cluster.servers.length - 1 : 0);
          const victim = cluster?.servers[k];
          if (!victim) continue;
          log(`cluster-chaos: ${atS.toFixed(1)} s SIGKILL nats-server ${k + 1}`);
          await victim.kill('SIGKILL');
          await sleep(faultPrng.int(2000, 5000));
          const tRestart = nowMs();
          await victim.restart();
          const healthy = await streamHealthy();
          if (!healthy)
            problems.push(`the event stream's replicas were not all current 30 s after nats-server ${k + 1} came back`);
          const agreed = await electedAmong(all, tRestart);
          faultLog.push({
            kind,
            atS,
            victim: `nats-${k + 1}`,
            electionMs: Number.NaN,
            firstDecisionMs: Number.NaN,
            faultAt: t0,
            rejoinMs: agreed.ms,
            leaderAfter: agreed.leader?.id ?? '-',
          });
          log(
            `cluster-chaos: nats-server ${k + 1} back; stream replicas ${healthy ? 'current' : 'NOT current'}, leader ${agreed.leader?.id ?? 'none'}`,
          );
          continue;
        }
        const leader = await waitForLeader(all, 30_000).catch((error: unknown) => {
          problems.push(`before a ${kind}: ${String(error).slice(0, 600)}`);
          return undefined;
        });
        if (!leader) continue;
        const others = all.filter((i) => i !== leader);
        if (kind === 'leader-kill') {
          log(`cluster-chaos: ${atS.toFixed(1)} s SIGKILL leader ${leader.id}`);
          const tKill = nowMs();
          await leader.kill('SIGKILL');
          restarts.set(leader.id, (restarts.get(leader.id) ?? 0) + 1);
          const downFor = faultPrng.int(2000, 5000);
          const elected = await electedAmong(others, tKill, 30_000);
          await sleep(Math.max(0, tKill + downFor - nowMs()));
          const tRestart = nowMs();
          await bringUp(leader, true);
          const agreed = await electedAmong(all, tRestart);
          faultLog.push({
            kind,
            atS,
            victim: leader.id,
            electionMs: elected.ms,
            firstDecisionMs: Number.NaN,
            faultAt: tKill,
            rejoinMs: agreed.ms,
            leaderAfter: agreed.leader?.id ?? '-',
          });
          log(
            `cluster-chaos: ${leader.id} restarted; new leader ${elected.leader?.id ?? 'none'} after ${Math.round(elected.ms)} ms, all agree on ${agreed.leader?.id ?? 'none'}`,
          );
        } else {
          log(`cluster-chaos: ${atS.toFixed(1)} s SIGSTOP leader ${leader.id} for ${pauseMs} ms`);
          const tStop = nowMs();
          process.kill(leader.pid, 'SIGSTOP');
          stopped.add(leader);
          const elected = await electedAmong(others, tStop, pauseMs + 30_000);
          await sleep(Math.max(0, tStop + pauseMs - nowMs()));
          const tCont = nowMs();
          process.kill(leader.pid, 'SIGCONT');
          stopped.delete(leader);
          let steppedDown = false;
          for (const deadline = nowMs() + 15_000; nowMs() < deadline; await sleep(100)) {
            const h = await clusterHealth(leader.url);
            if (h?.cluster?.role === 'follower') {
              steppedDown = true;
              break;
            }
          }
          if (!steppedDown)
            problems.push(`${leader.id} still reports leader 15 s after SIGCONT (paused ${pauseMs} ms)`);
          const agreed = await electedAmong(all, tCont);
          faultLog.push({
            kind,
            atS,
            victim: leader.id,
            electionMs: elected.ms,
            firstDecisionMs: Number.NaN,
            faultAt: tStop,
            rejoinMs: agreed.ms,
            steppedDown,
            leaderAfter: agreed.leader?.id ?? '-',
          });
          log(
            `cluster-chaos: ${leader.id} woke; new leader ${elected.leader?.id ?? 'none'} after ${Math.round(elected.ms)} ms, stepped down ${steppedDown}, all agree on ${agreed.leader?.id ?? 'none'}`,
          );
        }
      }
    })();
    const healTimers = new Set<ReturnType<typeof setTimeout>>();
    const nodeLane = (async () => {
      const p = prng.fork('nodes');
      await sleep(2000);
      while (running()) {
        await sleep(p.int(1000, 4000));
        if (!running()) break;
        const victims = [
          ...new Set([p.pick(layout.nodes).node, ...(p.chance(0.3) ? [p.pick(layout.nodes).node] : [])]),
        ];
        faults.nodeCuts += victims.length;
        await activeFleet.cut(victims).catch(() => undefined);
        const timer = setTimeout(
          () => {
            healTimers.delete(timer);
            void activeFleet.heal(victims).catch(() => undefined);
          },
          p.int(1000, 5000),
        );
        healTimers.add(timer);
      }
    })();
    const resendLane = (async () => {
      const p = prng.fork('node-resend');
      await sleep(2000);
      while (running()) {
        await sleep(p.int(2000, 5000));
        if (!running()) break;
        faults.nodeResends += await activeFleet.resendViaNodes(p.int(1, 5)).catch(() => 0);
      }
    })();
    await Promise.all([faultLane, nodeLane, resendLane]);

    // --- Heal, stop the load, quiesce ----------------------------------------------------------
    for (const t of healTimers) clearTimeout(t);
    log('cluster-chaos: healing everything');
    for (const i of stopped) process.kill(i.pid, 'SIGCONT');
    stopped.clear();
    await activeFleet.heal();
    for (const i of all) if (!i.child.running) await bringUp(i, true);
    await waitForLeader(all, 30_000).catch((error: unknown) => {
      problems.push(`after healing: ${String(error).slice(0, 600)}`);
    });
    loadStopped = true;
    await load;
    await activeFleet.setRate(0);
    // Orders still in flight: wait up to 60 s for their decision.
    orderDeadline = nowMs() + 60_000;
    while (pending.size > 0 && nowMs() < orderDeadline) await sleep(200);
    // Orders sent after each fault and decided (201/200/409), once the load's orders are decided: the first one's time.
    for (const [k, f] of faultLog.entries()) faultLog[k] = { ...f, firstDecisionMs: firstDecisionAfter(f.faultAt) };
    let decidedLate = 0;
    for (let n = 0; n < sent; n++) {
      const key = `${options.seed}-order-${n}`;
      if (!answered.has(key) && !refused.has(key)) undecidedKeys.push({ key, sku: skuOf.get(key) ?? '' });
    }

    const quiesceStart = nowMs();
    const deadline = quiesceStart + (options.quiesceTimeoutS ?? 90) * 1000;
    let quiesced = false;
    let stableChecks = 0;
    let lastState = '';
    while (nowMs() < deadline) {
      const states = await activeFleet.status();
      const info = await jsm.streams.info(NAMES.eventStream).catch(() => undefined);
      const last = info?.state.last_seq ?? Number.POSITIVE_INFINITY;
      const checks = await Promise.all(
        all.map(async (i) => {
          const h = await clusterHealth(i.url);
          const nodes = await api<{ nodes: { node: string; watermark: number }[] }>(i.url, 'GET', '/v1/nodes', {
            token: TOKENS.manager,
          }).catch(() => undefined);
          const watermark = new Map(nodes?.body.nodes.map((n) => [n.node, n.watermark]) ?? []);
          return {
            id: i.id,
            caughtUp: h !== undefined && h.checkpoint >= last,
            checkpoint: h?.checkpoint,
            watermarksOk: states.every((s) => watermark.get(s.node) === s.seq),
          };
        }),
      );
      const settled =
        states.every((s) => s.connected && s.pending === 0) &&
        info !== undefined &&
        checks.every((c) => c.caughtUp && c.watermarksOk);
      lastState = JSON.stringify({
        last,
        nodes: states.filter((s) => !s.connected || s.pending > 0).map((s) => s.node),
        checks,
      });
      stableChecks = settled ? stableChecks + 1 : 0;
      if (stableChecks >= 2) {
        quiesced = true;
        break;
      }
      await sleep(1000);
    }
    const quiesceMs = nowMs() - quiesceStart;
    if (!quiesced) problems.push(`did not reach quiescence: ${lastState.slice(0, 800)}`);
    log(`cluster-chaos: ${quiesced ? 'quiescent' : 'NOT quiescent'} after ${(quiesceMs / 1000).toFixed(1)} s`);

    // Orders never decided during the load: retried now (same key) until decided.
    for (const u of undecidedKeys) {
      const until = nowMs() + 30_000;
      const ok = await order(u.key, u.sku, 0, () => until);
      if (ok) decidedLate++;
    }
    const undecided = undecidedKeys.length - decidedLate;
    if (undecided > 0) problems.push(`${undecided} orders never decided`);
    // Every placed key again, on a random instance: the same reservation, 200.
    let replayedKeys = 0;
    let replayMismatches = 0;
    const replayPrng = prng.fork('replay');
    const placedKeys = [...answered];
    for (let k = 0; k < placedKeys.length; k += 20)
      await Promise.all(
        placedKeys.slice(k, k + 20).map(async ([key, id]) => {
          const a = await post(replayPrng.pick(all), key, skuOf.get(key) ?? '');
          replayedKeys++;
          if (a.status !== 200 || a.body.reservationId !== id) {
            replayMismatches++;
            if (replayMismatches <= 5)
              problems.push(`key ${key} sent again: ${a.status} ${JSON.stringify(a.body).slice(0, 200)} (was ${id})`);
          }
        }),
      );

    // --- Read everything back -------------------------------------------------------------------
    const nodeEvents = await activeFleet.logs();
    await activeFleet.stop();
    fleet = undefined;
    const streamEvents: InventoryEvent[] = [];
    let storeMessages = 0;
    let hubMessages = 0;
    let hubEventCount = 0;
    let invalidMessages = 0;
    let fencedMessages = 0;
    const storeIds = new Set<string>();
    const placedCount = new Map<string, number>();
    const idsByKey = new Map<string, Set<string>>();
    const placements = new Map<
      string,
      { reservationId: string; seq: number; idx: number; writer: string; at: string; eventId: string; hubSeq: number }[]
    >();
    const monkey = nc;
    if (!monkey) throw new Error('the admin connection is gone');
    const collected: (MessageEvents & { readonly seq: number; readonly writer: string; readonly isHub: boolean })[] =
      [];
    for (const m of await readEventStream(monkey)) {
      const isHub = m.subject.startsWith('inv.v1.hub.');
      if (isHub) hubMessages++;
      else storeMessages++;
      if (!m.parsed) invalidMessages++;
      else collected.push({ ...m.parsed, seq: m.seq, writer: m.writer, isHub });
    }
    // The hub's rule for its own messages (a deposed leader's late group is fenced, not applied).
    const accepted = acceptedEvents(collected);
    const acceptedIds = new Set(accepted.map((e) => e.id));
    streamEvents.push(...accepted);
    for (const message of collected) {
      if (message.isHub && !message.events.some((e) => acceptedIds.has(e.id))) fencedMessages++;
      for (const [idx, e] of message.events.entries()) {
        if (!acceptedIds.has(e.id)) continue;
        if (message.isHub) hubEventCount++;
        else storeIds.add(e.id);
        if (e.type === 'ReservationPlaced') {
          placedCount.set(e.data.reservationId, (placedCount.get(e.data.reservationId) ?? 0) + 1);
          const set = idsByKey.get(e.data.idempotencyKey) ?? new Set<string>();
          set.add(e.data.reservationId);
          idsByKey.set(e.data.idempotencyKey, set);
          const list = placements.get(e.data.idempotencyKey) ?? [];
          list.push({
            reservationId: e.data.reservationId,
            seq: message.seq,
            idx,
            writer: message.writer,
            at: e.occurredAt,
            eventId: e.id,
            hubSeq: e.seq,
          });
          placements.set(e.data.idempotencyKey, list);
        }
      }
    }
    if (invalidMessages > 0) problems.push(`${invalidMessages} stream messages do not parse`);
    const recordedIds = new Set(nodeEvents.map((e) => e.id));
    recordedIds.add(receipt.id);
    const lostInStream = [...recordedIds].filter((id) => !storeIds.has(id)).length;
    if (lostInStream > 0) problems.push(`${lostInStream} recorded events not in the stream`);

    // Reservations against the stream.
    const answeredIds = [...answered.values()];
    const answeredMissing = answeredIds.filter((id) => !placedCount.has(id)).length;
    const answeredDuplicated = answeredIds.filter((id) => (placedCount.get(id) ?? 0) > 1).length;
    const keysPlacedTwice = [...idsByKey.values()].filter((ids) => ids.size > 1).length;
    const suspectKeys = new Map<string, string>();
    for (const [key, ids] of idsByKey) {
      if (ids.size > 1) suspectKeys.set(key, 'placed under two reservation ids');
      else if (!answered.has(key))
        suspectKeys.set(key, `placed but never answered 201/200${refused.has(key) ? ' (answered 409)' : ''}`);
      else if ([...ids].some((id) => (placedCount.get(id) ?? 0) > 1))
        suspectKeys.set(key, 'one reservation id placed twice');
    }
    const suspects: ClusterChaosReport['reservations']['suspects'] = [...suspectKeys].slice(0, 5).map(([key, why]) => ({
      key,
      why,
      placements: placements.get(key) ?? [],
      attempts: attemptsOf.get(key) ?? [],
      views: [],
    }));
    const placedUnanswered = [...idsByKey].filter(([key]) => !answered.has(key)).length;
    const answeredMismatch = [...answered].filter(([key, id]) => {
      const ids = idsByKey.get(key);
      return ids !== undefined && !ids.has(id);
    }).length;
    if (answeredMissing > 0) problems.push(`${answeredMissing} reservations answered 201/200 are not in the stream`);
    if (answeredDuplicated > 0)
      problems.push(`${answeredDuplicated} answered reservations are in the stream more than once`);
    if (keysPlacedTwice > 0) problems.push(`${keysPlacedTwice} Idempotency-Keys have more than one ReservationPlaced`);
    if (answeredTwoIds.size > 0) problems.push(`${answeredTwoIds.size} keys were answered with two reservations`);
    if (answeredMismatch > 0)
      problems.push(`${answeredMismatch} keys answered with a reservation the stream does not hold for them`);
    if (placedUnanswered > 0)
      problems.push(`${placedUnanswered} keys placed in the stream were never answered 201/200`);

    // The independent fold of the stream.
    const pure = foldEvents(streamEvents, initialInventoryState());
    const skus = hotSkus.map((sku) => {
      const f = stockFiguresOf(pure, sku, WEB_LOCATION);
      const placedInStream = streamEvents.filter(
        (e) =>
          e.type === 'ReservationPlaced' && e.data.location === WEB_LOCATION && e.data.lines.some((l) => l.sku === sku),
      ).length;
      return { sku, stock: f.onHand, reserved: f.reserved, placedInStream };
    });
    let oversold = 0;
    for (const s of skus) {
      if (s.reserved > s.stock) oversold += s.reserved - s.stock;
      if (s.placedInStream > stockPerSku) oversold += s.placedInStream - stockPerSku;
    }
    if (oversold > 0) problems.push(`oversold by ${oversold} units: ${JSON.stringify(skus)}`);
    if (refused.size === 0)
      problems.push('no order was refused 409: the stock never ran out (the oversell check proved nothing)');

    // Each instance: stopped (SIGTERM), its file opened, compared with the fold and a clean replay.
    const replay = openSqliteStore(join(dir, 'replay.sqlite'));
    ensureViewSchema(replay);
    await rebuildViews({
      js,
      jsm,
      store: replay,
      writer: new ViewWriter(replay),
      log: createLogger('silent'),
      batchSize: 1000,
    });
    const replayDump = dumpViews(replay);
    replay.close();
    const zero = { onHand: 0, reserved: 0, damaged: 0, inTransit: 0, safetyStock: 0 };
    const checks: InstanceCheck[] = [];
    for (const i of all) {
      const h = await clusterHealth(i.url);
      await i.kill('SIGTERM');
      const db = openSqliteStore(i.db);
      try {
        const applied = db.all<{ event_id: string }>("SELECT event_id FROM applied_events WHERE node != 'hub'");
        const appliedIds = new Set(applied.map((a) => a.event_id));
        const lost = [...recordedIds].filter((id) => !appliedIds.has(id)).length;
        const phantom = [...appliedIds].filter((id) => !recordedIds.has(id)).length;
        const sql = stockFiguresByCell(db);
        const keys = new Set([...pure.cells.keys(), ...sql.keys()]);
        const mismatches: InstanceCheck['mismatches'] = [];
        for (const key of keys) {
          const [location, sku] = key.split('/') as [string, string];
          const fold = stockFiguresOf(pure, sku, location);
          const view = sql.get(key) ?? zero;
          if (JSON.stringify(view) !== JSON.stringify(fold)) mismatches.push({ cell: key, hub: view, fold });
        }
        for (const s of suspects) {
          const rows = db.all<{ reservation_id: string; status: string; idempotency_key: string }>(
            'SELECT reservation_id, status, idempotency_key FROM reservations WHERE idempotency_key = ?',
            s.key,
          );
          const applied = s.placements.map((p) => {
            const row = db.all<{ stream_seq: number; idx: number }>(
              'SELECT stream_seq, idx FROM applied_events WHERE event_id = ?',
              p.eventId,
            )[0];
            const sameSeq = db.all<{ stream_seq: number; idx: number; type: string }>(
              "SELECT stream_seq, idx, type FROM applied_events WHERE node = 'hub' AND seq = ?",
              p.hubSeq,
            );
            return `event ${p.eventId} ${row ? `applied at ${row.stream_seq}[${row.idx}]` : 'NOT applied'}, hub seq ${p.hubSeq} applied at ${sameSeq.map((r) => `${r.stream_seq}[${r.idx}] ${r.type}`).join(', ') || '-'}`;
          });
          s.views.push(
            `${i.id}: ${rows.length === 0 ? 'no reservation for the key' : rows.map((r) => `${r.reservation_id} ${r.status}`).join(', ')}; ${applied.join('; ')}`,
          );
        }
        const deadLetters = Object.fromEntries(
          db
            .all<{ reason: string; count: number }>('SELECT reason, count FROM dead_letters')
            .map((r) => [r.reason, r.count]),
        );
        const dump = dumpViews(db);
        const replayDiffTables = Object.keys(dump).filter(
          (t) => JSON.stringify(dump[t]) !== JSON.stringify(replayDump[t]),
        );
        checks.push({
          instance: i.id,
          applied: applied.length,
          lost,
          phantom,
          mismatchingCells: mismatches.length,
          mismatches: mismatches.slice(0, 10),
          replayDiffTables,
          checkpoint: h?.checkpoint ?? -1,
          restarts: restarts.get(i.id) ?? 0,
          deadLetters,
        });
        if (Object.keys(deadLetters).length > 0) problems.push(`${i.id}: dead letters ${JSON.stringify(deadLetters)}`);
        if (lost > 0) problems.push(`${i.id}: ${lost} recorded events not applied`);
        if (phantom > 0) problems.push(`${i.id}: ${phantom} applied events no node recorded`);
        if (mismatches.length > 0)
          problems.push(`${i.id}: ${mismatches.length} cells differ from the fold of the stream`);
        if (replayDiffTables.length > 0)
          problems.push(`${i.id}: views differ from a clean replay in ${replayDiffTables.join(', ')}`);
      } finally {
        db.close();
      }
    }
    const refusals = cluster ? clusterRefusals(cluster) : [];
    if (refusals.length > 0)
      problems.push(`nats-server refused a client ${refusals.length} time(s), e.g. ${refusals[0]?.trim()}`);
    for (const kind of kinds) if (faults[kind] === 0) problems.push(`no ${kind} fault happened (run longer)`);

    return {
      seed: options.seed,
      nodes: layout.nodes.length,
      faults,
      faultLog,
      recorded: nodeEvents.length,
      storeMessages,
      storeEventsInStream: storeIds.size,
      hubMessages,
      fencedHubMessages: fencedMessages,
      hubEvents: hubEventCount,
      lostInStream,
      instances: checks,
      reservations: {
        sent,
        placed: answered.size,
        refused: refused.size,
        decidedLate,
        undecided,
        statuses,
        retries,
        answeredMissing,
        answeredDuplicated,
        keysPlacedTwice,
        keysAnsweredTwoIds: answeredTwoIds.size,
        placedUnanswered,
        replayedKeys,
        replayMismatches,
        suspects,
        skus,
        oversold,
      },
      quiesced,
      quiesceMs,
      refusals,
      ok: problems.length === 0,
      problems,
      hubLog: hubLog(),
    };
  } catch (error) {
    throw new Error(
      `cluster chaos aborted: ${String((error as Error)?.stack ?? error)}\n${formatHubLog(hubLog(), 12)}\n${problems.join('\n')}`,
    );
  } finally {
    await fleet?.stop().catch(() => undefined);
    for (const i of stopped) {
      try {
        process.kill(i.pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    for (const i of instances) await i.kill('SIGKILL').catch(() => undefined);
    instances = [];
    await web?.close();
    await nc?.close().catch(() => undefined);
    await cluster?.dispose().catch(() => undefined);
    await removeTempDir(dir);
  }
};

/** Groups a hub's JSON log lines (and any other output) by level, message and error, most frequent first. */
const summarizeLog = (text: string): { line: string; count: number }[] => {
  const counts = new Map<string, number>();
  const levels: Record<number, string> = { 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    let key = line.slice(0, 160);
    try {
      const j = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      const err = j.err?.message ? `: ${j.err.message.replace(/\s+/g, ' ').slice(0, 140)}` : '';
      key = `${levels[j.level ?? 0] ?? j.level} ${j.msg ?? ''}${err}`;
    } catch {
      // not JSON: kept as it is
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([line, count]) => ({ line, count })).sort((a, b) => b.count - a.count);
};

const formatHubLog = (log: ClusterChaosReport['hubLog'], top: number): string =>
  Object.entries(log)
    .map(
      ([id, entries]) =>
        `  ${id} logged ${entries.reduce((s, e) => s + e.count, 0)} lines${entries.length === 0 ? '' : ':'}\n${entries
          .slice(0, top)
          .map((e) => `    ${String(e.count).padStart(5)}× ${e.line}`)
          .join('\n')}`,
    )
    .join('\n');

const ms = (v: number) => (Number.isNaN(v) ? '-' : `${Math.round(v)} ms`);

export const formatClusterChaosReport = (r: ClusterChaosReport): string => {
  const res = r.reservations;
  const byKind = (kind: FaultKind) => r.faultLog.filter((f) => f.kind === kind);
  const range = (values: number[]) => {
    const v = values.filter((x) => !Number.isNaN(x));
    return v.length === 0 ? '-' : `${Math.round(Math.min(...v))}–${Math.round(Math.max(...v))} ms`;
  };
  return [
    `cluster chaos seed ${r.seed}: 3 nats-servers, 3 hub instances, ${r.nodes} nodes; faults: ${Object.entries(r.faults)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    ...r.faultLog.map(
      (f) =>
        `    ${f.atS.toFixed(1).padStart(5)} s ${f.kind.padEnd(11)} ${f.victim.padEnd(6)} election ${ms(f.electionMs)}, first decision ${ms(f.firstDecisionMs)}, all agree ${ms(f.rejoinMs)} after restart${f.steppedDown === undefined ? '' : `, stepped down ${f.steppedDown ? 'yes' : 'NO'}`}; leader then ${f.leaderAfter}`,
    ),
    `  fail-over (leader SIGKILL)   election ${range(byKind('leader-kill').map((f) => f.electionMs))}, first decision ${range(byKind('leader-kill').map((f) => f.firstDecisionMs))}`,
    `  fail-over (leader SIGSTOP)   election ${range(byKind('leader-stop').map((f) => f.electionMs))}, first decision ${range(byKind('leader-stop').map((f) => f.firstDecisionMs))}`,
    `  events recorded      ${r.recorded} (+1 receipt of the web stock)`,
    `  in the stream        ${r.storeEventsInStream} store events in ${r.storeMessages} messages; ${r.hubEvents} hub events in ${r.hubMessages} messages (${r.fencedHubMessages} fenced)`,
    `  lost in the stream   ${r.lostInStream}`,
    ...r.instances.map(
      (i) =>
        `  ${i.instance.padEnd(6)} applied ${i.applied}, lost ${i.lost}, phantom ${i.phantom}, cells ≠ fold ${i.mismatchingCells}, replay ${i.replayDiffTables.length === 0 ? 'equal' : `differs (${i.replayDiffTables.join(', ')})`}, checkpoint ${i.checkpoint}, SIGKILLed ${i.restarts}×${Object.keys(i.deadLetters).length > 0 ? `, dead letters ${JSON.stringify(i.deadLetters)}` : ''}`,
    ),
    `  reservations         sent ${res.sent}, placed ${res.placed}, refused 409 ${res.refused}, decided late ${res.decidedLate}, undecided ${res.undecided}, retries ${res.retries}`,
    `    answers            ${Object.entries(res.statuses)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `    answered ∉ stream ${res.answeredMissing}, answered twice in stream ${res.answeredDuplicated}, keys placed twice ${res.keysPlacedTwice}, keys with two ids ${res.keysAnsweredTwoIds}, placed unanswered ${res.placedUnanswered}`,
    `    same key again     ${res.replayedKeys} sent, ${res.replayMismatches} not the original reservation`,
    `    per SKU            ${res.skus.map((s) => `${s.sku}: on hand ${s.stock}, reserved ${s.reserved}, placed ${s.placedInStream}`).join('; ')}`,
    `    oversold           ${res.oversold}`,
    ...res.suspects.flatMap((d) => [
      `    key ${d.key}: ${d.why}; placed ${d.placements.length}×:`,
      ...d.placements.map(
        (p) =>
          `      ${p.reservationId} at stream seq ${p.seq}[${p.idx}] by ${p.writer || '?'} (${p.at}, event ${p.eventId}, hub seq ${p.hubSeq})`,
      ),
      ...d.attempts.map((a) => `      client: ${a}`),
      ...d.views.map((v) => `      views ${v}`),
    ]),
    `  quiescent after      ${(r.quiesceMs / 1000).toFixed(1)} s${r.quiesced ? '' : ' (timed out)'}`,
    `  refused by nats      ${r.refusals.length}${r.refusals.length > 0 ? ` (${r.refusals[0]?.trim()})` : ''}`,
    r.ok ? '  OK' : `  FAILED: ${r.problems.join('; ')}`,
    ...r.instances.flatMap((i) =>
      i.mismatches
        .slice(0, 3)
        .map((m) => `    ${i.instance} ${m.cell}: hub ${JSON.stringify(m.hub)} fold ${JSON.stringify(m.fold)}`),
    ),
    formatHubLog(r.hubLog, r.ok ? 6 : 15),
  ].join('\n');
};
