import { jetstream } from '@nats-io/jetstream';
import { nodeEventSubject } from '@stocknerve/protocol';
import type { NatsServerProcess } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeAuthOptions } from '../simulator/credentials.js';
import {
  adminConnect,
  assertNoViolations,
  issueTerminalCredentials,
  markViolations,
  NodeConnections,
  startBenchNats,
  violationsSince,
} from './nats.js';

const A = { node: 'store-north-01-t1', location: 'store-north-01', region: 'north' };
const B = { node: 'store-north-01-t2', location: 'store-north-01', region: 'north' };

// The benchmarks' clients in operator mode: each node publishes as its own terminal, and a client
// acting beyond its rights shows in the server's log, which fails the scenario.
describe('bench NATS identities', () => {
  let server: NatsServerProcess;

  beforeAll(async () => {
    server = await startBenchNats();
    const admin = await adminConnect(server);
    await (await jetstream(admin).jetstreamManager()).streams.add({ name: 'BENCH_T', subjects: ['inv.v1.evt.>'] });
    await admin.close();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('publishes each store event through its own node, and notices a node publishing as another', async () => {
    const nodes = await NodeConnections.open(server, [A, B]);
    try {
      const mark = markViolations();
      const subject = nodeEventSubject(A);
      const ack = await nodes.forSubject(subject).publish(subject, '{}', { msgID: 'a-1' });
      expect(ack.seq).toBe(1);
      expect(violationsSince(mark)).toEqual([]);
      assertNoViolations(server, 'own subjects');

      // A's connection on B's subject: refused by the server, and logged.
      await expect(
        nodes.forSubject(subject).publish(nodeEventSubject(B), '{}', { msgID: 'a-2', timeout: 1000 }),
      ).rejects.toThrow();
      for (let i = 0; i < 50 && violationsSince(mark).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(violationsSince(mark).join('\n')).toMatch(/Publish Violation/);
      expect(() => assertNoViolations(server, 'a node as another')).toThrow(/refused a client/);
    } finally {
      await nodes.close();
    }
  });

  it('gives every node its own credentials, none without authentication', async () => {
    const credentials = await issueTerminalCredentials(server, [A, B]);
    expect(Object.keys(credentials)).toEqual([A.node, B.node]);
    expect(credentials[A.node]?.inboxPrefix).not.toBe(credentials[B.node]?.inboxPrefix);
    expect(nodeAuthOptions(A.node, credentials).inboxPrefix).toBe(credentials[A.node]?.inboxPrefix);
    expect(() => nodeAuthOptions('someone-else', credentials)).toThrow(/no terminal credentials/);
    expect(nodeAuthOptions(A.node, undefined)).toEqual({});
    const open = await startBenchNats({ auth: 'none' });
    try {
      expect(await issueTerminalCredentials(open, [A])).toEqual({});
    } finally {
      await open.dispose();
    }
  });
});
