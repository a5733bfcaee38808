import { join } from 'node:path';
import { type JetStreamClient, type JetStreamManager, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { makeTempDir, type NatsServerProcess, removeTempDir } from '@stocknerve/test-harness';
import type { Fleet, FleetOptions } from '../simulator/fleet.js';
import { createFleet, createWireFleet, ShardedFleet } from '../simulator/worker-fleet.js';
import type { NodeSpec, WorldLayout } from '../simulator/world.js';
import { defineLocations, type HubHandle, startInProcessHub } from './hub.js';
import { type AuthMode, adminConnect, issueTerminalCredentials, startBenchNats } from './nats.js';
import { sleep } from './stats.js';

/** About `count` nodes of whole stores spread evenly over the layout. */
export const spreadNodes = (layout: WorldLayout, count: number): NodeSpec[] => {
  const perLocation = layout.nodes.length / layout.locations.length;
  const stores = Math.max(1, Math.round(count / perLocation));
  const step = layout.locations.length / stores;
  const chosen = new Set(Array.from({ length: stores }, (_, i) => layout.locations[Math.floor(i * step)]?.location));
  return layout.nodes.filter((n) => chosen.has(n.location));
};

/**
 * A nats-server, a hub in this process (its views readable without HTTP) and a fleet of simulated
 * nodes in worker threads (so the nodes do not share the hub's event loop). In operator mode (the
 * default) every node signs in as its own terminal user, the hub with the hub's credentials, and the
 * lab's own client (`nc`) as the admin.
 */
export class FleetLab {
  private constructor(
    readonly server: NatsServerProcess,
    readonly auth: AuthMode,
    readonly hub: HubHandle,
    readonly fleet: Fleet,
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    private readonly dir: string,
  ) {}

  static async start(
    layout: WorldLayout,
    fleetOptions: Omit<FleetOptions, 'natsUrl' | 'nodes' | 'skus' | 'credentials'> & {
      httpProbeEvery?: number;
      httpProbeToken?: string;
      /**
       * Run only this many nodes (whole stores, spread over the layout) as real SyncClients; the
       * others publish at the wire level (WireFleet). Default: all real.
       */
      syncNodes?: number;
      /** `none`: a server without authentication (the reference for the cost of authentication). */
      auth?: AuthMode;
    },
  ): Promise<FleetLab> {
    const dir = await makeTempDir('stocknerve-bench-fleet');
    const { httpProbeEvery, httpProbeToken, syncNodes, auth = 'operator', ...rest } = fleetOptions;
    const server = await startBenchNats({ storeDir: join(dir, 'jetstream'), auth });
    let hub: HubHandle | undefined;
    let fleet: Fleet | undefined;
    try {
      hub = await startInProcessHub(server, join(dir, 'views.sqlite'));
      await defineLocations(hub.url, layout.locations);
      // Issued here, handed to the worker threads as data: each node signs in as itself there.
      const credentials = await issueTerminalCredentials(server, layout.nodes);
      const sync = syncNodes === undefined ? layout.nodes : spreadNodes(layout, syncNodes);
      const wire = layout.nodes.filter((n) => !sync.includes(n));
      const syncFleet = createFleet({
        ...rest,
        natsUrl: server.url,
        credentials,
        nodes: sync,
        skus: layout.skus,
        ...(httpProbeEvery && httpProbeToken
          ? { httpProbe: { url: hub.url, token: httpProbeToken, every: httpProbeEvery } }
          : {}),
      });
      fleet =
        wire.length === 0
          ? syncFleet
          : new ShardedFleet([
              { fleet: syncFleet, nodes: sync.length },
              createWireFleet({
                natsUrl: server.url,
                credentials,
                nodes: wire,
                skus: layout.skus,
                seed: `${rest.seed}/wire`,
              }),
            ]);
      await fleet.start();
      const nc = await adminConnect(server, { name: 'bench-fleet-lab' });
      const js = jetstream(nc);
      return new FleetLab(server, auth, hub, fleet, nc, js, await js.jetstreamManager(), dir);
    } catch (error) {
      await fleet?.stop().catch(() => undefined);
      await hub?.close().catch(() => undefined);
      await server.dispose();
      await removeTempDir(dir);
      throw error;
    }
  }

  /** Waits until every node that is not cut off is connected. */
  async connected(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await this.fleet.status();
      if (states.every((s) => s.cut || s.connected)) return;
      if (Date.now() > deadline) throw new Error('simulated nodes did not connect');
      await sleep(200);
    }
  }

  /** Events the hub has applied from store nodes (sum of their contiguous watermarks). */
  appliedFromNodes(): number {
    return (
      this.hub.ctx.store.get<{ n: number }>(
        "SELECT COALESCE(SUM(watermark), 0) AS n FROM node_status WHERE node != 'hub'",
      )?.n ?? 0
    );
  }

  async dispose(): Promise<void> {
    await this.fleet.stop().catch(() => undefined);
    await this.nc.close().catch(() => undefined);
    await this.hub.close().catch(() => undefined);
    await this.server.dispose();
    await removeTempDir(this.dir);
  }
}
