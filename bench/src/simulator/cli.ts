// The store-network simulator as a standalone load generator.
//
//   node bench/dist/simulator/cli.js --rate 500 --duration 60
//       starts its own nats-server (operator mode) and hub, then runs 3 regions × 3 stores × 2
//       terminals, each signed in as its own terminal user
//   node bench/dist/simulator/cli.js --nats nats://127.0.0.1:4222 --hub http://127.0.0.1:7480 --admin-token …
//       drives an existing hub: the locations are defined through its admin API and every simulated
//       terminal is enrolled through it (POST /v1/enrollments, then redeemed with its own key); a hub
//       without an identity directory (a nats-server without authentication) gets anonymous nodes
//
// Options: --regions N --stores N (per region) --terminals N (per store) --skus N --rate events/s
// --duration s --seed text --cut-every s (cut a random store's terminals off for a few seconds)
// --in-process (≤ 4 nodes, no worker threads)
import { parseArgs } from 'node:util';
import { enrollTerminal, type TerminalCredentials } from '@stocknerve/sync';
import { makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import { api, defineLocations, type HubHandle, startInProcessHub, TOKENS } from '../lib/hub.js';
import { assertNoViolations, issueTerminalCredentials, startBenchNats } from '../lib/nats.js';
import { sleep } from '../lib/stats.js';
import type { FleetCredentials } from './credentials.js';
import { Prng } from './prng.js';
import { createFleet } from './worker-fleet.js';
import { type NodeSpec, worldLayout } from './world.js';

/**
 * Enrolls every node with an existing hub, as a new till is: an admin creates a one-time code, the
 * terminal redeems it with its own key. Undefined when the hub cannot enroll (no identity directory:
 * its nats-server runs without authentication).
 */
const enrollAll = async (
  hubUrl: string,
  token: string,
  nodes: readonly NodeSpec[],
): Promise<FleetCredentials | undefined> => {
  const out: Record<string, TerminalCredentials> = {};
  for (const n of nodes) {
    const created = await api<{ code?: string; error?: string }>(hubUrl, 'POST', '/v1/enrollments', {
      token,
      body: { location: n.location, node: n.node },
      ok: [201, 503],
    });
    if (created.status === 503) return undefined;
    out[n.node] = await enrollTerminal({ hubUrl, code: created.body.code ?? '' });
  }
  return out;
};

const { values } = parseArgs({
  options: {
    nats: { type: 'string' },
    hub: { type: 'string' },
    'admin-token': { type: 'string' },
    regions: { type: 'string', default: '3' },
    stores: { type: 'string', default: '3' },
    terminals: { type: 'string', default: '2' },
    skus: { type: 'string', default: '500' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '30' },
    seed: { type: 'string', default: 'simulator' },
    'cut-every': { type: 'string', default: '0' },
    'in-process': { type: 'boolean', default: false },
  },
});

const main = async () => {
  const layout = worldLayout({
    regions: Number(values.regions),
    locationsPerRegion: Number(values.stores),
    nodesPerLocation: Number(values.terminals),
    skus: Number(values.skus),
  });
  let natsUrl = values.nats;
  let hubUrl = values.hub;
  let hub: HubHandle | undefined;
  let credentials: FleetCredentials | undefined;
  let cleanup = async () => undefined;
  const adminToken = values['admin-token'] ?? process.env.HUB_ADMIN_TOKEN ?? TOKENS.admin;
  if (!natsUrl) {
    const server = await startBenchNats();
    const dir = await makeTempDir('stocknerve-sim');
    natsUrl = server.url;
    hub = await startInProcessHub(server, `${dir}/views.sqlite`);
    hubUrl = hub.url;
    // Every node its own terminal user, issued here and handed to the worker threads.
    credentials = await issueTerminalCredentials(server, layout.nodes);
    cleanup = async () => {
      await hub?.close();
      await server.dispose();
      await removeTempDir(dir);
      assertNoViolations(server, 'simulator');
    };
    console.log(`nats-server ${natsUrl} (operator mode), hub ${hubUrl} (admin token ${TOKENS.admin})`);
  }
  if (hubUrl) await defineLocations(hubUrl, layout.locations, adminToken);
  if (hubUrl && !hub) {
    credentials = await enrollAll(hubUrl, adminToken, layout.nodes);
    console.log(
      credentials
        ? `${layout.nodes.length} terminals enrolled with the hub`
        : 'the hub cannot enroll terminals (no HUB_IDENTITY_DIR): the nodes connect without credentials',
    );
  } else if (!hubUrl) console.log('no --hub: the nodes connect without credentials');
  const fleet = createFleet(
    { natsUrl, credentials, nodes: layout.nodes, skus: layout.skus, seed: values.seed },
    values['in-process'] ? 'in-process' : 'workers',
  );
  await fleet.start();
  console.log(`${layout.nodes.length} nodes at ${layout.locations.length} stores started`);
  await fleet.setRate(Number(values.rate));
  const prng = new Prng(`${values.seed}/cuts`);
  const cutEveryMs = Number(values['cut-every']) * 1000;
  const end = Date.now() + Number(values.duration) * 1000;
  let nextCut = cutEveryMs > 0 ? Date.now() + cutEveryMs : Number.POSITIVE_INFINITY;
  while (Date.now() < end) {
    await sleep(1000);
    if (Date.now() >= nextCut) {
      const store = prng.pick(layout.locations).location;
      const nodes = layout.nodes.filter((n) => n.location === store).map((n) => n.node);
      await fleet.cut(nodes);
      console.log(`cut off ${store}`);
      const healIn = prng.int(1000, 8000);
      if (Date.now() + healIn < end)
        setTimeout(() => void fleet.heal(nodes).then(() => console.log(`healed ${store}`)), healIn);
      nextCut = Date.now() + cutEveryMs;
    }
    const states = await fleet.status();
    const recorded = states.reduce((s, n) => s + n.recorded, 0);
    const pending = states.reduce((s, n) => s + n.pending, 0);
    const offline = states.filter((n) => !n.connected).length;
    console.log(`recorded ${recorded}, pending ${pending}, offline nodes ${offline}`);
  }
  await fleet.setRate(0);
  await fleet.heal();
  await fleet.stop();
  await cleanup();
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
