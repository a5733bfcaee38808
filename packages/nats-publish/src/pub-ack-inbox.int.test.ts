import { jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { type NatsServerProcess, startNatsServer } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PubAckInbox, pubAckOf } from './pub-ack-inbox.js';

const reply = (body: string, status?: { code: number; description: string }) => ({
  headers: status ? headers(status.code, status.description) : undefined,
  string: () => body,
});

describe('reading a reply to a JetStream publish', () => {
  it('takes a PubAck, a duplicate included, and nothing else', () => {
    expect(pubAckOf(reply('{"stream":"INV_EVENTS","seq":42}'))).toEqual({ ok: true, seq: 42, duplicate: false });
    expect(pubAckOf(reply('{"stream":"INV_EVENTS","seq":42,"duplicate":true}'))).toEqual({
      ok: true,
      seq: 42,
      duplicate: true,
    });
    const refused = [
      reply('{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"INV_EVENTS"}'),
      reply('', { code: 503, description: 'No Responders' }),
      reply('not json'),
      reply('{"stream":"INV_EVENTS"}'),
      reply('{"seq":3}'),
      reply('{"stream":"INV_EVENTS","seq":0}'),
      reply('null'),
    ];
    for (const r of refused) expect(pubAckOf(r).ok, r.string()).toBe(false);
    expect(pubAckOf(refused[0] as ReturnType<typeof reply>)).toMatchObject({
      error: { message: expect.stringContaining('maximum messages exceeded') },
    });
  });
});

describe('publishing through one reply inbox', () => {
  let server: NatsServerProcess;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect(server.clientOptions('hub'));
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'INBOX_TEST', subjects: ['inbox.test.>'], duplicate_window: 60_000_000_000 });
  });

  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it("answers each message with its stream seq in order, and a re-sent id as JetStream's duplicate", async () => {
    const inbox = new PubAckInbox(nc);
    try {
      const messages = Array.from({ length: 300 }, (_, i) => ({
        subject: 'inbox.test.a',
        data: JSON.stringify({ i }),
        msgId: `m-${i}`,
      }));
      const results = await inbox.publishAll(messages, 5_000);
      expect(results.every((r) => r.ok && !r.duplicate)).toBe(true);
      const seqs = results.map((r) => (r.ok ? r.seq : 0));
      expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => (seqs[0] ?? 0) + i));
      const again = await inbox.publishAll(messages.slice(0, 2), 5_000);
      expect(again).toEqual([
        { ok: true, seq: seqs[0], duplicate: true },
        { ok: true, seq: seqs[1], duplicate: true },
      ]);
    } finally {
      inbox.close();
    }
  });

  it('stores every message without an id, a repeated body too (a KV put of the same value is a new revision)', async () => {
    const inbox = new PubAckInbox(nc);
    try {
      const results = await inbox.publishAll(
        [1, 2].map(() => ({ subject: 'inbox.test.b', data: '{"same":true}' })),
        5_000,
      );
      expect(results.map((r) => r.ok && !r.duplicate)).toEqual([true, true]);
      const [first, second] = results.map((r) => (r.ok ? r.seq : 0));
      expect(second).toBe((first ?? 0) + 1);
    } finally {
      inbox.close();
    }
  });

  it('fails a message no stream takes, and one nobody answers within the timeout', async () => {
    const inbox = new PubAckInbox(nc);
    // A plain subscriber that never replies: the publish is delivered, no PubAck comes.
    const silent = nc.subscribe('silent.subject');
    try {
      const [noStream] = await inbox.publishAll([{ subject: 'no.stream.here', data: '{}', msgId: 'x-1' }], 5_000);
      expect(noStream).toMatchObject({ ok: false, error: { message: expect.stringContaining('503') } });
      const started = Date.now();
      const [unanswered] = await inbox.publishAll([{ subject: 'silent.subject', data: '{}', msgId: 'x-2' }], 300);
      expect(unanswered).toMatchObject({ ok: false, error: { message: 'no PubAck within 300 ms' } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      silent.unsubscribe();
      inbox.close();
    }
  });

  it('fails what is still waiting when it is closed (the connection was replaced)', async () => {
    const inbox = new PubAckInbox(nc);
    const silent = nc.subscribe('silent.closed');
    const pending = inbox.publishAll([{ subject: 'silent.closed', data: '{}', msgId: 'y-1' }], 60_000);
    inbox.close();
    expect(await pending).toMatchObject([{ ok: false, error: { message: expect.stringContaining('replaced') } }]);
    silent.unsubscribe();
  });
});
