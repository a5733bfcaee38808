import type { JetStreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { ensureViewSchema } from '../store/schema.js';
import { openSqliteStore } from '../store/sql-store.js';
import { StreamIntegrity, streamIdentityOf, streamProblems, type WatchedProjector } from './stream-integrity.js';

const CREATED = '2026-12-01T08:00:00.123456789Z';
const stream = (first_seq: number, last_seq: number, messages: number, num_deleted = 0, created = CREATED) =>
  streamIdentityOf({
    created,
    state: { first_seq, last_seq, messages, num_deleted } as Parameters<typeof streamIdentityOf>[0]['state'],
  });

describe('the event stream’s identity', () => {
  it('counts an empty stream’s first seq as its next one, whether new or purged', () => {
    expect(stream(0, 0, 0).firstSeq).toBe(1);
    expect(stream(41, 40, 0).firstSeq).toBe(41);
    expect(stream(3, 40, 38).firstSeq).toBe(3);
  });
});

describe('stream problems', () => {
  const recorded = stream(1, 100, 100);

  it('are none while the stream is the one the views follow, however far it grew', () => {
    expect(streamProblems(recorded, stream(1, 5000, 5000), 4000)).toEqual([]);
    expect(streamProblems(undefined, stream(1, 5000, 5000), 4000)).toEqual([]);
  });

  it('say the stream is missing', () => {
    expect(streamProblems(recorded, null, 100).map((p) => p.code)).toEqual(['stream-missing']);
  });

  it('say it was created anew, whatever it holds', () => {
    expect(streamProblems(recorded, stream(1, 100, 100, 0, '2026-12-02T08:00:00Z'), 100).map((p) => p.code)).toEqual([
      'stream-recreated',
    ]);
  });

  it('say it was purged, and which events the views never saw', () => {
    const [applied] = streamProblems(recorded, stream(101, 100, 0), 100);
    expect(applied?.code).toBe('stream-purged');
    expect(applied?.message).toMatch(/starts at seq 101.*100 message\(s\) were purged/);
    expect(applied?.message).not.toMatch(/never applied/);
    const [unapplied] = streamProblems(recorded, stream(121, 120, 0), 100);
    expect(unapplied?.message).toMatch(/20 of them \(seqs 101-120\) never applied/);
  });

  it('say messages were deleted inside it (a purge by subject)', () => {
    expect(streamProblems(recorded, stream(1, 100, 90, 10), 100).map((p) => p.code)).toEqual(['stream-purged']);
  });
});

/** A monitor over a fake JetStream API and projector: what each check asks, and what it did. */
const monitor = (options: { firstSeq?: number; checkpoint?: number; consumerInfo?: () => Promise<unknown> } = {}) => {
  const store = openSqliteStore(':memory:');
  ensureViewSchema(store);
  const did: string[] = [];
  const projector: { -readonly [K in keyof WatchedProjector]: WatchedProjector[K] } = {
    checkpoint: options.checkpoint ?? 0,
    consumerName: 'hub-projector-test',
    session: { id: 1, consuming: true },
    loopEnded: false,
    restartConsumer: (reason: string) => did.push(`restart: ${reason}`),
    resumeLoop: () => did.push('resume'),
  };
  const firstSeq = options.firstSeq ?? 1;
  const jsm = {
    streams: {
      info: async () => ({
        created: CREATED,
        state: { first_seq: firstSeq, last_seq: 10, messages: 11 - firstSeq, num_deleted: 0 },
      }),
    },
    consumers: { info: options.consumerInfo ?? (async () => ({})) },
  } as unknown as JetStreamManager;
  const integrity = new StreamIntegrity({ jsm, store, log: createLogger('silent'), projector });
  return { integrity, projector, did };
};

const consumerNotFound = () => Promise.reject(new Error('consumer not found'));

describe('the integrity monitor', () => {
  it('takes the stream as it finds it for views that hold nothing, unless it has lost its first events', async () => {
    const fresh = monitor();
    await fresh.integrity.check();
    expect(fresh.integrity.problems).toEqual([]);
    const lost = monitor({ firstSeq: 5 });
    await lost.integrity.check();
    expect(lost.integrity.problems.map((p) => p.code)).toEqual(['stream-purged']);
  });

  it('recreates a missing consumer and reports it until a check finds it again', async () => {
    let exists = false;
    const m = monitor({ consumerInfo: () => (exists ? Promise.resolve({}) : consumerNotFound()) });
    await m.integrity.check();
    expect(m.integrity.problems.map((p) => p.code)).toEqual(['consumer-missing']);
    expect(m.did).toEqual([expect.stringMatching(/^restart: consumer hub-projector-test is missing/)]);
    exists = true;
    await m.integrity.check();
    expect(m.integrity.problems).toEqual([]);
  });

  it('does not take a consumer the projector is recreating itself for a missing one', async () => {
    const m = monitor({
      consumerInfo: () => {
        m.projector.session = { id: 2, consuming: true };
        return consumerNotFound();
      },
    });
    await m.integrity.check();
    expect(m.integrity.problems).toEqual([]);
    expect(m.did).toEqual([]);
  });

  it('starts an ended consume loop again, and says so', async () => {
    const m = monitor();
    m.projector.loopEnded = true;
    await m.integrity.check();
    expect(m.integrity.problems.map((p) => p.code)).toEqual(['projector-stopped']);
    expect(m.did).toEqual(['resume']);
  });
});
