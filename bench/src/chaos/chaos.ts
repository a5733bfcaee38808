import { join } from 'node:path';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  acceptedEvents,
  foldEvents,
  formatHlc,
  hlcNow,
  hlcZero,
  type InventoryEvent,
  initialInventoryState,
  type MessageEvents,
  parseMessageEvents,
  stockFiguresOf,
} from '@stocknerve/domain';
import { dumpViews, stockFiguresByCell } from '@stocknerve/hub';
import { createLogger, ensureViewSchema, openSqliteStore, rebuildViews, ViewWriter } from '@stocknerve/hub/internal';
import { NAMES, storeEventSubject } from '@stocknerve/protocol';
import { freePort, makeTempDir, type NatsServerProcess, removeTempDir } from '@stocknerve/test-harness';
import { api, defineLocations, HubChild, health, hubEnv, TOKENS } from '../lib/hub.js';
import { adminConnect, issueTerminalCredentials, NodeConnections, refusalsOf, startBenchNats } from '../lib/nats.js';
import { nowMs, sleep } from '../lib/stats.js';
import type { Fleet } from '../simulator/fleet.js';
import { Prng } from '../simulator/prng.js';
import { createFleet } from '../simulator/worker-fleet.js';
import { worldLayout } from '../simulator/world.js';

export interface ChaosOptions {
  readonly seed: string;
  /** Seconds of faults (then healing and quiescence). */
  readonly durationS: number;
  readonly regions?: number;
  readonly storesPerRegion?: number;
  readonly terminalsPerStore?: number;
  /** Events per second recorded across all nodes. */
  readonly rate?: number;
  /** In this thread (at most 4 nodes) or in worker threads. */
  readonly fleetMode?: 'in-process' | 'workers';
  /** The hub's JetStream dedupe window (HUB_DUPLICATE_WINDOW_MS). */
  readonly duplicateWindowMs?: number;
  /** How long to wait for everything to settle after healing, s. */
  readonly quiesceTimeoutS?: number;
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly seed: string;
  readonly nodes: number;
  readonly faults: {
    readonly natsKills: number;
    readonly hubKills: number;
    readonly nodeCuts: number;
    readonly resentAfterWindow: number;
    readonly resentDedupedByJetStream: number;
    readonly nodeResends: number;
  };
  /** Events in the nodes' local logs. */
  readonly recorded: number;
  /** Store events the hub applied (applied_events without the hub's own). */
  readonly applied: number;
  /** Store-subject messages the stream holds beyond applied + dead-lettered: absorbed as duplicates. */
  readonly duplicatesAbsorbed: number;
  readonly deadLettered: number;
  readonly deadLettersByReason: Record<string, number>;
  /** Malformed messages injected (acknowledged by JetStream), and those whose fate is unknown. */
  readonly injected: number;
  readonly injectedUncertain: number;
  /** Recorded by a node but never applied by the hub. */
  readonly lost: number;
  /** Applied by the hub but in no node's log. */
  readonly phantom: number;
  readonly cells: number;
  readonly mismatchingCells: number;
  readonly mismatches: { cell: string; hub: unknown; fold: unknown }[];
  /** The live views equal a clean replay of the stream. */
  readonly replayEqual: boolean;
  readonly replayDiffTables: string[];
  readonly quiesced: boolean;
  readonly quiesceMs: number;
  /**
   * What nats-server logged refusing a client (a permission or authorization violation): every
   * node, the hub and the monkey run with their own identities in operator mode, so none is expected.
   */
  readonly refusals: string[];
  readonly ok: boolean;
  readonly problems: string[];
}

const GARBAGE_KINDS = [
  'invalid-json',
  'invalid-envelope',
  'unknown-type',
  'invalid-data',
  'subject-mismatch',
  'unknown-location',
] as const;

/**
 * Runs the simulator while killing and restarting nats-server and the hub (SIGKILL, same store and
 * db file), cutting nodes off, re-sending events after the dedupe window and injecting malformed
 * messages; then heals everything, waits for quiescence and compares the hub's views with an
 * independent fold of every node's log.
 *
 * nats-server runs in operator mode, as deployed: each node signs in as its own terminal user, the
 * hub with the hub's credentials; the monkey re-sends and injects through the terminals' own users
 * (a buggy or hostile till can publish garbage only on its own subject) and inspects as the admin.
 * A refusal in the server's log (a client acting beyond its rights) fails the run.
 */
export const runChaos = async (options: ChaosOptions): Promise<ChaosReport> => {
  const log = options.log ?? (() => undefined);
  const prng = new Prng(options.seed);
  const windowMs = options.duplicateWindowMs ?? 2000;
  const layout = worldLayout({
    regions: options.regions ?? 2,
    locationsPerRegion: options.storesPerRegion ?? 1,
    nodesPerLocation: options.terminalsPerStore ?? 2,
    skus: 60,
    prefix: 'chaos',
  });
  // A terminal of a location the hub does not know (its events are dead-lettered).
  const nowhere = {
    region: layout.locations[0]?.region ?? 'north',
    location: 'chaos-nowhere',
    node: 'chaos-nowhere-t1',
  };
  const dir = await makeTempDir('stocknerve-chaos');
  const dbPath = join(dir, 'views.sqlite');
  const faults = {
    natsKills: 0,
    hubKills: 0,
    nodeCuts: 0,
    resentAfterWindow: 0,
    resentDedupedByJetStream: 0,
    nodeResends: 0,
  };
  let injected = 0;
  let injectedUncertain = 0;
  let server: NatsServerProcess | undefined;
  let hub: HubChild | undefined;
  let fleet: Fleet | undefined;
  let nc: NatsConnection | undefined;
  let nodeConnections: NodeConnections | undefined;
  const port = await freePort();
  const hubSettings = { HUB_DB: dbPath, HUB_DUPLICATE_WINDOW_MS: String(windowMs), HUB_LOG_LEVEL: 'warn' };
  const startHubUntilReady = async () => {
    for (let attempt = 1; ; attempt++) {
      if (!server) throw new Error('chaos: no nats-server');
      const child = new HubChild('serve', { ...hubEnv(server), ...hubSettings }, port);
      try {
        await child.ready(30_000);
        return child;
      } catch (error) {
        await child.kill();
        if (attempt >= 20) throw error;
        await sleep(500);
      }
    }
  };
  try {
    server = await startBenchNats({ storeDir: join(dir, 'jetstream') });
    hub = await startHubUntilReady();
    await defineLocations(hub.url, layout.locations);
    const reconnecting = { maxReconnectAttempts: -1, reconnectTimeWait: 250 };
    // The monkey inspects as the admin, and publishes as the terminals (one of an unknown location).
    nc = await adminConnect(server, { name: 'chaos-monkey', ...reconnecting });
    const js = jetstream(nc);
    const terminals = await NodeConnections.open(server, [...layout.nodes, nowhere], reconnecting);
    nodeConnections = terminals;
    fleet = createFleet(
      {
        natsUrl: server.url,
        credentials: await issueTerminalCredentials(server, layout.nodes),
        nodes: layout.nodes,
        skus: layout.skus,
        seed: `${options.seed}/fleet`,
        heartbeatMs: 1000,
        antiEntropyGraceMs: 3000,
        cutMode: 'fail',
      },
      options.fleetMode ?? 'in-process',
    );
    await fleet.start();
    const activeFleet = fleet;
    await activeFleet.setRate(options.rate ?? 40);
    log(`chaos: ${layout.nodes.length} nodes, seed ${options.seed}, ${options.durationS} s of faults`);

    let natsUp = true;
    const started = nowMs();
    const endAt = started + options.durationS * 1000;
    const running = () => nowMs() < endAt;
    const lane = async (name: string, minS: number, maxS: number, act: (p: Prng) => Promise<void>) => {
      const p = prng.fork(name);
      await sleep(2000);
      while (running()) {
        await sleep(p.int(minS * 1000, maxS * 1000));
        if (!running()) break;
        await act(p);
      }
    };
    const healTimers = new Set<ReturnType<typeof setTimeout>>();
    const lanes = [
      lane('nats', 5, 12, async (p) => {
        if (!server) return;
        log('chaos: SIGKILL nats-server');
        natsUp = false;
        faults.natsKills++;
        await server.kill('SIGKILL');
        await sleep(p.int(500, 3000));
        await server.restart();
        natsUp = true;
        log('chaos: nats-server restarted');
      }),
      lane('hub', 4, 10, async (p) => {
        log('chaos: SIGKILL hub');
        faults.hubKills++;
        await hub?.kill('SIGKILL');
        await sleep(p.int(300, 2000));
        hub = await startHubUntilReady();
        log('chaos: hub restarted');
      }),
      lane('nodes', 1, 4, async (p) => {
        const victims = [
          ...new Set([p.pick(layout.nodes).node, ...(p.chance(0.3) ? [p.pick(layout.nodes).node] : [])]),
        ];
        faults.nodeCuts += victims.length;
        await activeFleet.cut(victims);
        const timer = setTimeout(
          () => {
            healTimers.delete(timer);
            void activeFleet.heal(victims).catch(() => undefined);
          },
          p.int(1000, 6000),
        );
        healTimers.add(timer);
      }),
      lane('resend', 1, 3, async (p) => {
        if (!natsUp) return;
        const old = await activeFleet.sentSample(p.int(1, 10), Date.now() - windowMs - 500);
        const fresh = p.chance(0.5) ? await activeFleet.sentSample(2, Date.now()) : [];
        for (const s of [...old, ...fresh]) {
          const ack = await terminals
            .forSubject(s.subject)
            .publish(s.subject, JSON.stringify(s.event), { msgID: s.event.id, timeout: 2000 })
            .catch(() => undefined);
          if (!ack) continue;
          if (ack.duplicate) faults.resentDedupedByJetStream++;
          else faults.resentAfterWindow++;
        }
      }),
      lane('garbage', 1, 3, async (p) => {
        if (!natsUp) return;
        for (let i = p.int(1, 3); i > 0; i--) {
          const kind = p.pick(GARBAGE_KINDS);
          const real = p.pick(layout.nodes);
          // An unknown location's node publishes on its own (well-formed) subject.
          const node = kind === 'unknown-location' ? nowhere : real;
          const subject = storeEventSubject(node.region, node.location, node.node);
          const id = `01900000-0000-7000-8000-${String(injected + injectedUncertain + 1).padStart(12, '0')}`;
          const envelope = {
            id,
            location: node.location,
            node: node.node,
            seq: p.int(1, 1_000_000),
            hlc: formatHlc(hlcNow(hlcZero(node.node), Date.now())),
            occurredAt: new Date().toISOString(),
            correlationId: 'chaos',
          };
          const body =
            kind === 'invalid-json'
              ? `{"garbage": ${p.int(0, 1e6)}`
              : kind === 'invalid-envelope'
                ? JSON.stringify({ hello: 'world', n: p.int(0, 1e6) })
                : kind === 'unknown-type'
                  ? JSON.stringify({ ...envelope, type: 'TeleportStock', version: 1, data: {} })
                  : kind === 'invalid-data'
                    ? JSON.stringify({ ...envelope, type: 'SaleRecorded', version: 1, data: { lines: [] } })
                    : JSON.stringify({
                        ...envelope,
                        location: kind === 'subject-mismatch' ? 'somewhere-else' : node.location,
                        type: 'GoodsReceived',
                        version: 1,
                        data: { purchaseOrderId: 'po-chaos', lines: [{ sku: 'CHAOS-1', qty: 1 }] },
                      });
          const ack = await terminals
            .forSubject(subject)
            .publish(subject, body, {
              msgID: `chaos-garbage-${options.seed}-${injected + injectedUncertain}`,
              timeout: 2000,
            })
            .catch(() => undefined);
          if (ack && !ack.duplicate) injected++;
          else if (!ack) injectedUncertain++;
        }
      }),
      lane('node-resend', 2, 5, async (p) => {
        faults.nodeResends += await activeFleet.resendViaNodes(p.int(1, 5));
      }),
    ];
    await Promise.all(lanes);
    for (const t of healTimers) clearTimeout(t);
    log('chaos: healing everything');
    await activeFleet.heal();
    if (!hub?.running) hub = await startHubUntilReady();
    await sleep(1000);
    await activeFleet.setRate(0);

    // Quiescence: every node connected with nothing pending, the hub caught up with the stream and
    // with every node's log, twice in a row.
    const quiesceStart = nowMs();
    const deadline = quiesceStart + (options.quiesceTimeoutS ?? 90) * 1000;
    let quiesced = false;
    let stableChecks = 0;
    const jsm = await js.jetstreamManager();
    while (nowMs() < deadline) {
      const states = await activeFleet.status();
      const h = await health(hub.url).catch(() => undefined);
      const info = await jsm.streams.info(NAMES.eventStream).catch(() => undefined);
      const nodes = await api<{ nodes: { node: string; watermark: number; maxSeq: number }[] }>(
        hub.url,
        'GET',
        '/v1/nodes',
        { token: TOKENS.manager },
      ).catch(() => undefined);
      const watermark = new Map(nodes?.body.nodes.map((n) => [n.node, n.watermark]) ?? []);
      const settled =
        states.every((s) => s.connected && s.pending === 0) &&
        h !== undefined &&
        info !== undefined &&
        h.checkpoint >= info.state.last_seq &&
        states.every((s) => watermark.get(s.node) === s.seq);
      stableChecks = settled ? stableChecks + 1 : 0;
      if (stableChecks >= 2) {
        quiesced = true;
        break;
      }
      await sleep(1000);
    }
    const quiesceMs = nowMs() - quiesceStart;
    log(`chaos: ${quiesced ? 'quiescent' : 'NOT quiescent'} after ${(quiesceMs / 1000).toFixed(1)} s; comparing`);

    // Everything the nodes recorded, and the stream as stored.
    const nodeEvents = await activeFleet.logs();
    await activeFleet.stop();
    fleet = undefined;
    await hub.kill('SIGTERM');
    const hubMessages: MessageEvents[] = [];
    let storeMessages = 0;
    const info = await jsm.streams.info(NAMES.eventStream);
    const lastSeq = info.state.last_seq;
    if (lastSeq > 0) {
      const consumer = await js.consumers.get(NAMES.eventStream, { deliver_policy: DeliverPolicy.All });
      const messages = await consumer.consume({ max_messages: 2000 });
      for await (const m of messages) {
        if (m.subject.startsWith('inv.v1.hub.')) {
          const parsed = parseMessageEvents(m.json());
          if (parsed.ok) hubMessages.push(parsed);
        } else storeMessages++;
        if (m.seq >= lastSeq) break;
      }
      await messages.close();
    }
    // A hub message is one event or a group, applied by the hub's chain rule.
    const hubEvents = acceptedEvents(hubMessages);

    const live = openSqliteStore(dbPath);
    const applied = live.all<{ event_id: string }>("SELECT event_id FROM applied_events WHERE node != 'hub'");
    const appliedIds = new Set(applied.map((a) => a.event_id));
    const recordedIds = new Set(nodeEvents.map((e) => e.id));
    const lost = [...recordedIds].filter((id) => !appliedIds.has(id)).length;
    const phantom = [...appliedIds].filter((id) => !recordedIds.has(id)).length;
    const deadLetterRows = live.all<{ reason: string; count: number }>('SELECT reason, count FROM dead_letters');
    const deadLettered = deadLetterRows.reduce((s, r) => s + r.count, 0);
    const pure = foldEvents([...hubEvents, ...nodeEvents], initialInventoryState());
    const sql = stockFiguresByCell(live);
    const keys = new Set([...pure.cells.keys(), ...sql.keys()]);
    const zero = { onHand: 0, reserved: 0, damaged: 0, inTransit: 0, safetyStock: 0 };
    const mismatches: ChaosReport['mismatches'] = [];
    for (const key of keys) {
      const [location, sku] = key.split('/') as [string, string];
      const fold = stockFiguresOf(pure, sku, location);
      const view = sql.get(key) ?? zero;
      if (JSON.stringify(view) !== JSON.stringify(fold)) mismatches.push({ cell: key, hub: view, fold });
    }

    // A clean replay of the same stream must give the same views.
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
    const liveDump = dumpViews(live);
    const replayDump = dumpViews(replay);
    const replayDiffTables = Object.keys(liveDump).filter(
      (t) => JSON.stringify(liveDump[t]) !== JSON.stringify(replayDump[t]),
    );
    live.close();
    replay.close();

    const problems: string[] = [];
    if (!quiesced) problems.push('did not reach quiescence');
    if (lost > 0) problems.push(`${lost} events lost`);
    if (phantom > 0) problems.push(`${phantom} applied events no node recorded`);
    if (mismatches.length > 0) problems.push(`${mismatches.length} cells differ from the fold`);
    if (deadLettered < injected || deadLettered > injected + injectedUncertain)
      problems.push(`${deadLettered} dead letters for ${injected} injected (+${injectedUncertain} uncertain)`);
    if (replayDiffTables.length > 0) problems.push(`replay differs in ${replayDiffTables.join(', ')}`);
    const refusals = refusalsOf(server);
    if (refusals.length > 0)
      problems.push(`nats-server refused a client ${refusals.length} time(s), e.g. ${refusals[0]?.trim()}`);
    return {
      seed: options.seed,
      nodes: layout.nodes.length,
      faults,
      recorded: nodeEvents.length,
      applied: applied.length,
      duplicatesAbsorbed: storeMessages - applied.length - deadLettered,
      deadLettered,
      deadLettersByReason: Object.fromEntries(deadLetterRows.map((r) => [r.reason, r.count])),
      injected,
      injectedUncertain,
      lost,
      phantom,
      cells: keys.size,
      mismatchingCells: mismatches.length,
      mismatches: mismatches.slice(0, 20),
      replayEqual: replayDiffTables.length === 0,
      replayDiffTables,
      quiesced,
      quiesceMs,
      refusals,
      ok: problems.length === 0,
      problems,
    };
  } finally {
    await fleet?.stop().catch(() => undefined);
    await hub?.kill().catch(() => undefined);
    await nodeConnections?.close();
    await nc?.close().catch(() => undefined);
    await server?.dispose().catch(() => undefined);
    await removeTempDir(dir);
  }
};

export const formatChaosReport = (r: ChaosReport): string =>
  [
    `chaos seed ${r.seed}: ${r.nodes} nodes; faults: ${Object.entries(r.faults)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  events recorded      ${r.recorded}`,
    `  applied              ${r.applied}`,
    `  duplicates absorbed  ${r.duplicatesAbsorbed}`,
    `  dead-lettered        ${r.deadLettered} (injected ${r.injected}${r.injectedUncertain ? ` + ${r.injectedUncertain} uncertain` : ''}; ${Object.entries(
      r.deadLettersByReason,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
    `  lost                 ${r.lost}`,
    `  phantom              ${r.phantom}`,
    `  mismatching cells    ${r.mismatchingCells} of ${r.cells}`,
    `  replay equals live   ${r.replayEqual ? 'yes' : `no (${r.replayDiffTables.join(', ')})`}`,
    `  quiescent after      ${(r.quiesceMs / 1000).toFixed(1)} s${r.quiesced ? '' : ' (timed out)'}`,
    `  refused by nats      ${r.refusals.length}${r.refusals.length > 0 ? ` (${r.refusals[0]?.trim()})` : ''}`,
    r.ok ? '  OK' : `  FAILED: ${r.problems.join('; ')}`,
    ...r.mismatches
      .slice(0, 5)
      .map((m) => `    ${m.cell}: hub ${JSON.stringify(m.hub)} fold ${JSON.stringify(m.fold)}`),
  ].join('\n');
