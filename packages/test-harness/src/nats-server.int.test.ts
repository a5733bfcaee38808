import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { wsconnect } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type NatsServerProcess, startNatsServer, waitFor, wsFactory, wsFactoryWith } from './index.js';

describe('startNatsServer', () => {
  let server: NatsServerProcess | undefined;

  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it('keeps an acknowledged JetStream message across a SIGKILL and restart', async () => {
    server = await startNatsServer();
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(server.log()).toContain('Server is ready');
    const firstPid = server.pid;

    const nc = await connect(server.clientOptions());
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'EVENTS', subjects: ['events.>'] });
    const ack = await jetstream(nc).publish('events.a', JSON.stringify({ n: 1 }), { msgID: 'evt-1' });
    expect(ack.seq).toBe(1);
    await nc.close();

    await server.kill();
    await server.restart();
    expect(server.pid).not.toBe(firstPid);
    expect(server.log()).toContain('--- restart ---');

    const nc2 = await connect(server.clientOptions());
    const jsm2 = await jetstreamManager(nc2);
    const stored = await jsm2.streams.getMessage('EVENTS', { seq: 1 });
    expect(stored?.json()).toEqual({ n: 1 });
    // The dedupe window is rebuilt from the store, so a retried publish is still recognised.
    const retry = await jetstream(nc2).publish('events.a', JSON.stringify({ n: 1 }), { msgID: 'evt-1' });
    expect(retry.duplicate).toBe(true);
    expect((await jsm2.streams.info('EVENTS')).state.messages).toBe(1);
    await nc2.close();
  });

  it('serves websocket clients that talk to TCP clients', async () => {
    server = await startNatsServer();
    const tcp = await connect(server.clientOptions());
    const received: string[] = [];
    tcp.subscribe('echo', {
      callback: (_err, msg) => {
        msg.respond(`echo:${msg.string()}`);
      },
    });
    tcp.subscribe('notes.>', {
      callback: (_err, msg) => {
        received.push(msg.string());
      },
    });
    await tcp.flush();

    const ws = await wsconnect({ servers: server.wsUrl, wsFactory, ...server.auth?.admin });
    const reply = await ws.request('echo', 'hi', { timeout: 5_000 });
    expect(reply.string()).toBe('echo:hi');
    ws.publish('notes.one', 'from-ws');
    await ws.flush();
    await waitFor(() => received.length === 1, { timeoutMs: 5_000, message: 'websocket publish at TCP subscriber' });
    expect(received).toEqual(['from-ws']);

    await ws.close();
    await tcp.close();
  });

  it('runs in operator mode: anonymous clients are refused, credentials of the chain accepted', async () => {
    server = await startNatsServer();
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(/Authorization Violation/);
    const till = await server.auth?.terminal({ node: 'n-1', location: 'l-1', region: 'r-1' });
    const nc = await connect({ servers: server.url, ...till });
    await expect(nc.request('inv.v1.hub.hub', 'x', { timeout: 2_000 })).rejects.toThrow(/Permissions Violation/);
    await nc.close();
  });

  it('serves TLS and secure websockets with a CA it generated', async () => {
    server = await startNatsServer({ tls: true });
    expect(server.url).toMatch(/^tls:\/\//);
    expect(server.wsUrl).toMatch(/^wss:\/\//);
    const tls = server.tls;
    if (!tls) throw new Error('no TLS files');
    await expect(connect({ ...server.clientOptions(), tls: {}, reconnect: false })).rejects.toThrow();
    const nc = await connect(server.clientOptions());
    nc.subscribe('echo', {
      callback: (_err, msg) => {
        msg.respond(`echo:${msg.string()}`);
      },
    });
    await nc.flush();
    const ws = await wsconnect({
      servers: server.wsUrl,
      wsFactory: wsFactoryWith({ ca: tls.ca }),
      ...server.auth?.admin,
    });
    expect((await ws.request('echo', 'hi', { timeout: 5_000 })).string()).toBe('echo:hi');
    await ws.close();
    await nc.close();
  });

  it('fails with the server output when the config is invalid', async () => {
    await expect(startNatsServer({ extraConfig: 'this is { not valid' })).rejects.toThrow(/nats-server .*exited/);
  });
});
