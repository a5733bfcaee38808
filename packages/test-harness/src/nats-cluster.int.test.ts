import { jetstream, jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @nats-io/kv is not a dependency of this package (adding it needs a lockfile change): the copy the
// sync package depends on, the same 3.4.0 the hub uses.
import { Kvm } from '../../sync/node_modules/@nats-io/kv/lib/mod.js';
import { type NatsCluster, startNatsCluster, waitFor } from './index.js';

// One 3-server cluster for the whole file (three servers on a 2-core machine): the steps build on
// each other, in order, ending with a crash and a restart of one server.

const STREAM = 'CLUSTER_EVENTS';
let cluster: NatsCluster;
const connections: NatsConnection[] = [];

const open = async (role: 'hub' | 'admin' = 'admin') => {
  const nc = await connect({ ...cluster.clientOptions(role), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  connections.push(nc);
  return nc;
};

/** Leader and replicas of a stream, by server name, and whether every replica is caught up. */
const placement = (info: StreamInfo) => {
  const replicas = info.cluster?.replicas ?? [];
  return {
    names: [info.cluster?.leader, ...replicas.map((r) => r.name)].filter(Boolean).sort(),
    allCurrent: replicas.length > 0 && replicas.every((r) => r.current && !r.offline),
  };
};

describe('startNatsCluster', () => {
  beforeAll(async () => {
    cluster = await startNatsCluster();
    await cluster.ready();
  });

  afterAll(async () => {
    for (const nc of connections) await nc.close().catch(() => {});
    await cluster?.dispose();
  });

  it('starts three servers with one trust chain and a client URL list', async () => {
    expect(cluster.servers).toHaveLength(3);
    expect(cluster.urls).toEqual(cluster.servers.map((s) => s.url));
    expect(cluster.url).toBe(cluster.urls.join(','));
    expect(cluster.clientOptions('hub').servers).toEqual([...cluster.urls]);
    expect(new Set(cluster.servers.map((s) => s.port)).size).toBe(3);
    expect(new Set(cluster.servers.map((s) => s.storeDir)).size).toBe(3);
    for (const server of cluster.servers) {
      expect(server.log()).toContain('Server is ready');
      expect(server.auth).toBe(cluster.auth);
    }
    expect(cluster.auth).toBeDefined();
    // Each server accepts the shared credentials on its own.
    for (const server of cluster.servers) {
      const nc = await connect(server.clientOptions('hub'));
      expect(nc.info?.cluster).toBe('stocknerve-test');
      await nc.close();
    }
  });

  it('replicates an R3 stream and acknowledges the hub’s JetStream publishes', async () => {
    const admin = await open('admin');
    const jsm = await jetstreamManager(admin);
    const info = await jsm.streams.add({ name: STREAM, subjects: ['clustertest.>'], num_replicas: 3 });
    expect(info.config.num_replicas).toBe(3);
    await waitFor(async () => placement(await jsm.streams.info(STREAM)).allCurrent, {
      timeoutMs: 20_000,
      message: 'all replicas current',
    });
    expect(placement(await jsm.streams.info(STREAM)).names).toEqual([
      'stocknerve-test-1',
      'stocknerve-test-2',
      'stocknerve-test-3',
    ]);

    const hub = await open('hub');
    const js = jetstream(hub);
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) => js.publish(`clustertest.e${i}`, JSON.stringify({ i }), { msgID: `m-${i}` })),
    );
    expect(acks.map((a) => a.stream)).toEqual(Array(20).fill(STREAM));
    expect(new Set(acks.map((a) => a.seq)).size).toBe(20);
    expect((await js.publish('clustertest.e0', JSON.stringify({ i: 0 }), { msgID: 'm-0' })).duplicate).toBe(true);
    expect((await jsm.streams.info(STREAM)).state.messages).toBe(20);
  });

  it('keeps an R3 KV bucket whose create() is a lease claim', async () => {
    const hub = await open('hub');
    const kv = await new Kvm(hub).create('cluster_leases', { replicas: 3, history: 1 });
    const status = await kv.status();
    expect(status.replicas).toBe(3);
    expect(await kv.create('projector', 'hub-a')).toBeGreaterThan(0);
    await expect(kv.create('projector', 'hub-b')).rejects.toThrow(/wrong last sequence/);
    expect((await kv.get('projector'))?.string()).toBe('hub-a');
  });

  it('keeps acknowledging publishes when one server is SIGKILLed, and the server rejoins on restart', async () => {
    const hub = await open('hub');
    const js = jetstream(hub);
    const admin = await open('admin');
    const jsm = await jetstreamManager(admin);

    // Kill the server the hub's connection uses: the client has to move to another URL.
    const victim = cluster.servers.find((s) => s.port === hub.info?.port);
    expect(victim).toBeDefined();
    if (!victim) return;
    const before = (await jsm.streams.info(STREAM)).state.messages;
    await victim.kill('SIGKILL');

    let acked = 0;
    for (let i = 0; i < 100; i++) {
      const ack = await js.publish(`clustertest.k${i}`, JSON.stringify({ i }), {
        msgID: `k-${i}`,
        timeout: 10_000,
        retries: 10,
      });
      if (ack.stream === STREAM && !ack.duplicate) acked++;
    }
    expect(acked).toBe(100);
    expect(hub.info?.port).not.toBe(victim.port);
    const kv = await new Kvm(hub).open('cluster_leases');
    expect((await kv.get('projector'))?.string()).toBe('hub-a');
    await expect(kv.create('projector', 'hub-b')).rejects.toThrow(/wrong last sequence/);

    await victim.restart();
    expect(victim.log()).toContain('--- restart ---');
    const rejoined = await waitFor(
      async () => {
        const info = await jsm.streams.info(STREAM);
        const p = placement(info);
        return p.allCurrent && p.names.length === 3 ? info : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, message: 'the restarted server to be a current replica again' },
    );
    expect(rejoined.state.messages).toBe(before + 100);

    // The restarted server itself serves the stream's data.
    const direct = await connect(victim.clientOptions('admin'));
    try {
      const msg = await (await jetstreamManager(direct)).streams.getMessage(STREAM, {
        last_by_subj: 'clustertest.k99',
      });
      expect(msg?.json()).toEqual({ i: 99 });
    } finally {
      await direct.close();
    }
  });
});
