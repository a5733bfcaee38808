import { loadavg } from 'node:os';
import { join } from 'node:path';
import { eventFactory } from '@stocknerve/domain/testing';
import { storeEventSubject } from '@stocknerve/protocol';
import { freePort, makeTempDir, removeTempDir, waitFor } from '@stocknerve/test-harness';
import { KeepAliveClient } from '../lib/cluster.js';
import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { api, cpuTimeOf, defineLocations, HubChild, hubEnv, TOKENS, waitIdle } from '../lib/hub.js';
import { NodeConnections, startBenchNats } from '../lib/nats.js';
import { collectProfile, profileArgs } from '../lib/profile.js';
import { type Distribution, distribution, nowMs } from '../lib/stats.js';

export interface CommandsSize {
  readonly requests: number;
  readonly units: number;
  readonly connections: number;
}

interface Availability {
  locations: { location: string; onHand: number; reserved: number }[];
  channels: { channel: string; atp: number }[];
}

interface Burst {
  readonly wallMs: number;
  readonly rate: number;
  readonly latency: Distribution;
  readonly statuses: Record<string, number>;
  readonly maxSeq: number;
  /** The first answers of each unexpected status (not 201, 400, 409): status, Retry-After, body. */
  readonly samples: { status: number; retryAfter?: string; body: string; atMs: number }[];
  /** Hub process CPU (ms) and bench process CPU (ms) used during the burst. */
  readonly hubCpuMs: number;
  readonly benchCpuMs: number;
}

const metricOf = (text: string, name: string): number =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? Number.NaN);

/**
 * (10) Command throughput: `units` units of one SKU at one store; `requests` reservations (1 unit
 * each, distinct Idempotency-Keys) from `connections` HTTP/1.1 keep-alive connections at once (one
 * client per connection, each sending its share back to back), against one hub (child process) on
 * one nats-server. Same-run reference: the same clients and hub answering a trivial authenticated
 * POST /v1/reservations with body {} (400: auth, body parsing and validation, no decision), before
 * and after the reservations (mean of both).
 */
export const commandsScenario = async (size: CommandsSize, options: BenchOptions): Promise<ScenarioResult> => {
  const r = result('commands', '10. Command throughput (reservations, group commit)');
  const dir = await makeTempDir('stocknerve-bench-commands');
  const server = await startBenchNats({ storeDir: join(dir, 'jetstream') });
  const prof = profileArgs(options, 'commands');
  const hub = new HubChild(
    'serve',
    {
      ...hubEnv(server),
      HUB_DB: join(dir, 'views.sqlite'),
      HUB_INSTANCE_ID: 'bench-commands',
      // The clients' connections stay open across the bursts (and the idle waits between them):
      // with the default 5 s the hub closes them while a client reuses one (socket hang up).
      HUB_HTTP_KEEP_ALIVE_TIMEOUT_MS: '120000',
    },
    await freePort(),
    prof.args,
  );
  const location = 'cmd-store';
  const terminal = { node: `${location}-t1`, location, region: 'central' };
  const nodes = await NodeConnections.open(server, [terminal]);
  const clients = Array.from({ length: size.connections }, () => new KeepAliveClient(hub.url));
  try {
    await hub.ready();
    const sku = 'CMD-1';
    await defineLocations(hub.url, [{ location, region: 'central', name: 'Command store' }]);
    const node = eventFactory({ location, node: terminal.node, startMs: Date.now() - 60_000 });
    const received = node.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-commands', lines: [{ sku, qty: size.units }] },
    });
    const subject = storeEventSubject('central', location, received.node);
    await nodes.forSubject(subject).publish(subject, JSON.stringify(received), { msgID: received.id });
    const availability = async (minSeq = 0) =>
      (
        await api<Availability>(hub.url, 'GET', `/v1/availability/${sku}`, {
          token: TOKENS.ecommerce,
          headers: minSeq > 0 ? { 'stocknerve-min-seq': String(minSeq) } : {},
        })
      ).body;
    await waitFor(
      async () => (await availability()).locations.find((l) => l.location === location)?.onHand === size.units,
      { timeoutMs: 15_000, message: 'the stock in the views' },
    );
    await waitIdle(hub.pid);

    const perClient = Math.ceil(size.requests / size.connections);
    const headers = { authorization: `Bearer ${TOKENS.ecommerce}`, 'content-type': 'application/json' };
    const burst = async (body: (i: number) => string, key: (i: number) => string): Promise<Burst> => {
      const statuses: Record<string, number> = {};
      const latencies: number[] = [];
      let maxSeq = 0;
      const samples: Burst['samples'] = [];
      const hubCpu0 = cpuTimeOf(hub.pid) ?? 0;
      const benchCpu0 = process.cpuUsage();
      const t0 = nowMs();
      await Promise.all(
        clients.map(async (client, k) => {
          for (let j = 0; j < perClient; j++) {
            const i = k * perClient + j;
            if (i >= size.requests) return;
            const a = await client.request(
              'POST',
              '/v1/reservations',
              { ...headers, 'idempotency-key': key(i) },
              body(i),
            );
            latencies.push(a.ms);
            statuses[a.status] = (statuses[a.status] ?? 0) + 1;
            if (![201, 400, 409].includes(a.status) && samples.filter((x) => x.status === a.status).length < 3)
              samples.push({
                status: a.status,
                retryAfter: a.headers['retry-after'] as string | undefined,
                body: a.body.slice(0, 400),
                atMs: Math.round(nowMs() - t0),
              });
            const seq = Number(a.headers['stocknerve-seq'] ?? 0);
            if (seq > maxSeq) maxSeq = seq;
          }
        }),
      );
      const wallMs = nowMs() - t0;
      const benchCpu = process.cpuUsage(benchCpu0);
      return {
        wallMs,
        rate: (size.requests / wallMs) * 1000,
        latency: distribution(latencies),
        statuses,
        maxSeq,
        samples,
        hubCpuMs: (cpuTimeOf(hub.pid) ?? 0) - hubCpu0,
        benchCpuMs: (benchCpu.user + benchCpu.system) / 1000,
      };
    };
    const trivial = () =>
      burst(
        () => '{}',
        (i) => `trivial-${i}`,
      );
    // Warm-up (not measured): every connection opened and the HTTP path compiled by one whole
    // burst of the reference request.
    await trivial();
    await waitIdle(hub.pid);
    const load0 = loadavg()[0] ?? 0;
    options.log(`  reference: ${size.requests} × POST /v1/reservations {} (400) from ${size.connections} connections`);
    const ref1 = await trivial();
    await waitIdle(hub.pid);
    const metrics0 = await fetch(`${hub.url}/metrics`).then((res) => res.text());
    options.log(`  ${size.requests} reservations for ${size.units} units from ${size.connections} connections`);
    const reservations = await burst(
      () => JSON.stringify({ channel: 'web', location, lines: [{ sku, qty: 1 }], ttlSeconds: 900 }),
      (i) => `cmd-order-${i}`,
    );
    const metrics1 = await fetch(`${hub.url}/metrics`).then((res) => res.text());
    await waitIdle(hub.pid);
    options.log('  reference again');
    const ref2 = await trivial();
    const sockets = clients.reduce((n, c) => n + c.sockets, 0);
    const load1 = loadavg()[0] ?? 0;

    const placed = reservations.statuses['201'] ?? 0;
    const refused = reservations.statuses['409'] ?? 0;
    const after = await availability(reservations.maxSeq);
    const cell = after.locations.find((l) => l.location === location);
    const reserved = cell?.reserved ?? 0;
    const onHand = cell?.onHand ?? 0;
    const oversoldAnswers = Math.max(0, placed - size.units);
    const oversoldViews = Math.max(0, reserved - onHand);
    const groups =
      metricOf(metrics1, 'stocknerve_command_groups_total') - metricOf(metrics0, 'stocknerve_command_groups_total');
    const grouped =
      metricOf(metrics1, 'stocknerve_command_grouped_total') - metricOf(metrics0, 'stocknerve_command_grouped_total');
    const refRate = (ref1.rate + ref2.rate) / 2;
    const refP99 = (ref1.latency.p99 + ref2.latency.p99) / 2;
    const ratio = reservations.rate / refRate;
    const d = reservations.latency;
    r.figures.push(
      fig('reservations/s', reservations.rate, 'req/s'),
      fig('p50', d.p50, 'ms'),
      fig('p99', d.p99, 'ms'),
      fig('placed / refused', `${placed} / ${refused}`),
      fig('oversold units (answers / views)', `${oversoldAnswers} / ${oversoldViews}`),
      fig('mean group size', grouped / groups, 'commands'),
      fig('hub CPU per reservation', (reservations.hubCpuMs * 1000) / size.requests, 'µs'),
      fig('reference: trivial POST (400) req/s', refRate, 'req/s'),
      fig('reference: p99', refP99, 'ms'),
      fig('reference: hub CPU per request', ((ref1.hubCpuMs + ref2.hubCpuMs) * 1000) / (2 * size.requests), 'µs'),
      fig('reservations/s ÷ reference req/s', ratio * 100, '%'),
    );
    r.targets.push(
      check('reservations/s', reservations.rate, '>=', 5000, 'req/s'),
      check('p99', d.p99, '<', 100, 'ms'),
      check('oversold units', Math.max(oversoldAnswers, oversoldViews), '==', 0, 'units'),
      check('every unit sold', placed, '==', size.units, 'reservations'),
      check('reserved in the views = placed', reserved, '==', placed, 'units'),
    );
    const other = Object.entries(reservations.statuses).filter(([s]) => s !== '201' && s !== '409');
    if (other.length > 0) {
      // The hub's own account (warn and above), without the line each refused request logs.
      const lines = hub.output().split('\n');
      const perRequest = /"msg":"(http request|command not decided here; answered 503)"/;
      r.data.hubOutput = lines
        .filter((line) => !perRequest.test(line))
        .join('\n')
        .slice(-6000);
      r.data.hubRefusedLines = lines.filter((line) => perRequest.test(line)).length;
      r.notes.push(
        `first unexpected answers: ${reservations.samples.map((x) => `${x.status} after ${x.atMs} ms (Retry-After ${x.retryAfter ?? '-'}): ${x.body}`).join(' | ')}`,
      );
    }
    if (other.length > 0)
      r.notes.push(
        `unexpected answers to reservations: ${other.map(([s, n]) => `${n}× ${s === '-1' ? 'network error' : s}`).join(', ')}`,
      );
    const refOther = [ref1, ref2].flatMap((b) => Object.entries(b.statuses).filter(([s]) => s !== '400'));
    if (refOther.length > 0)
      r.notes.push(`unexpected answers to the reference: ${refOther.map(([s, n]) => `${n}× ${s}`).join(', ')}`);
    r.notes.push(
      `${size.requests.toLocaleString('en')} POST /v1/reservations (1 unit each, distinct Idempotency-Key) for ${size.units.toLocaleString('en')} units from ${size.connections} concurrent HTTP/1.1 keep-alive connections: ${size.connections} client loops in the bench process, each with its own node:http Agent (maxSockets 1) sending ${perClient} requests back to back; ${sockets} connections were opened (${size.connections} = none reopened; a first unmeasured burst of the reference request opened them and warmed the hub up; the hub runs with HUB_HTTP_KEEP_ALIVE_TIMEOUT_MS=120000 so that they stay open between the bursts). 1-minute load average ${load0.toFixed(1)} before the measured bursts, ${load1.toFixed(1)} after (2 cores; anything above ~2 is other work on the machine). Hub as a child process on one nats-server (operator mode); the bench client shares the 2 cores (bench process CPU during the reservations: ${Math.round(reservations.benchCpuMs)} ms, hub ${Math.round(reservations.hubCpuMs)} ms, in ${Math.round(reservations.wallMs)} ms).`,
      `Reference in the same run: the same ${size.connections} connections sending ${size.requests.toLocaleString('en')} POST /v1/reservations with body {} (400 after auth, body parsing and validation; nothing decided), before and after the reservations: ${Math.round(ref1.rate)} and ${Math.round(ref2.rate)} req/s, p99 ${ref1.latency.p99.toFixed(1)} and ${ref2.latency.p99.toFixed(1)} ms.`,
      `Group commit: ${groups} groups for ${grouped} commands (stocknerve_command_groups_total / _grouped_total over the burst). Views afterwards (read with Stocknerve-Min-Seq ${reservations.maxSeq}): reserved ${reserved}, on hand ${onHand}, ATP ${after.channels[0]?.atp}.`,
      `With ${size.connections} closed-loop clients the mean latency is connections ÷ throughput (Little's law: ${Math.round((size.connections / reservations.rate) * 1000)} ms at the measured rate), so p99 < 100 ms at this concurrency needs more than ${Math.round(size.connections / 0.1).toLocaleString('en')} answers/s; the reference shows what the HTTP layer alone allows on this machine.`,
    );
    Object.assign(r.data, {
      requests: size.requests,
      units: size.units,
      connections: size.connections,
      socketsOpened: sockets,
      reservations,
      reference: { runs: [ref1, ref2], rate: refRate, p99: refP99 },
      ratio,
      loadAverage: { before: load0, after: load1 },
      placed,
      refused,
      reservedInViews: reserved,
      onHandInViews: onHand,
      oversold: { answers: oversoldAnswers, views: oversoldViews },
      commandGroups: { groups, commands: grouped, meanSize: grouped / groups },
    });
    return r;
  } catch (error) {
    throw new Error(
      `${String((error as Error)?.message ?? error)}\nhub output (last 3,000 chars):\n${hub.output().slice(-3000)}`,
    );
  } finally {
    for (const c of clients) c.close();
    await nodes.close();
    await hub.kill(options.profile ? 'SIGTERM' : 'SIGKILL');
    await collectProfile(options, prof.dir, r.data);
    await server.dispose();
    await removeTempDir(dir);
  }
};
