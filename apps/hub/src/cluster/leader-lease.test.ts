import type { KV, KvEntry } from '@nats-io/kv';
import { waitFor } from '@stocknerve/test-harness';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LEASE_KEY, LeaderLease } from './leader-lease.js';

// The lease's rules over an in-memory key with JetStream KV's revision semantics (the real bucket
// is exercised by the cluster tests): conditional create and update, a revision per write.

class RevisionedKey {
  revision = 0;
  value: Uint8Array | undefined;
  writes = 0;
  failing = false;
  /** How long each request takes to answer, ms. */
  delayMs = 0;

  asKv(): KV {
    const check = async () => {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.failing) throw new Error('no responders');
    };
    const kv = {
      get: async (): Promise<KvEntry | null> => {
        await check();
        if (!this.value) return null;
        return { revision: this.revision, operation: 'PUT', value: this.value } as unknown as KvEntry;
      },
      create: async (_key: string, value: Uint8Array) => {
        await check();
        if (this.value) throw new Error('wrong last sequence: key exists');
        return this.write(value);
      },
      update: async (_key: string, value: Uint8Array, revision: number) => {
        await check();
        if (revision !== this.revision) throw new Error(`wrong last sequence: ${this.revision}`);
        return this.write(value);
      },
      delete: async () => {
        this.value = undefined;
        this.revision++;
      },
    };
    return kv as unknown as KV;
  }

  private write(value: Uint8Array): number {
    this.value = value;
    this.writes++;
    return ++this.revision;
  }

  holder(): string | undefined {
    return this.value ? (JSON.parse(new TextDecoder().decode(this.value)) as { instance: string }).instance : undefined;
  }
}

const leases: LeaderLease[] = [];
const lease = (key: RevisionedKey, instanceId: string, leaseMs = 300) => {
  const events: string[] = [];
  const l = new LeaderLease({
    kv: key.asKv(),
    instanceId,
    leaseMs,
    log: pino({ level: 'silent' }),
    onElected: (term) => {
      events.push(`elected ${term}`);
    },
    onDeposed: (reason) => {
      events.push(`deposed: ${reason}`);
    },
  });
  leases.push(l);
  return { l, events };
};

afterEach(async () => {
  for (const l of leases.splice(0)) await l.stop();
});

describe('the leader lease', () => {
  it('elects one instance; another takes over only once the leader stops renewing', async () => {
    const key = new RevisionedKey();
    const a = lease(key, 'a');
    a.l.start();
    await waitFor(() => a.l.isLeader, { message: 'a leads' });
    const b = lease(key, 'b');
    b.l.start();
    await new Promise((r) => setTimeout(r, 900));
    expect(b.l.isLeader).toBe(false);
    expect(b.l.status()).toMatchObject({ role: 'follower', leader: 'a' });
    // a's process freezes: it neither renews nor writes.
    key.failing = true;
    await new Promise((r) => setTimeout(r, 400));
    expect(a.l.mayWrite()).toMatch(/could not be renewed/);
    key.failing = false;
    await waitFor(() => b.l.isLeader || a.l.mayWrite() === undefined, { message: 'someone leads' });
  });

  it('steps down when another instance took the lease, and says so', async () => {
    const key = new RevisionedKey();
    const a = lease(key, 'a', 600);
    a.l.start();
    await waitFor(() => a.l.isLeader, { message: 'a leads' });
    // Another instance's conditional update after a's lease ran out in its eyes.
    await key.asKv().update(LEASE_KEY, new TextEncoder().encode('{"instance":"b","term":9}'), key.revision);
    await waitFor(() => !a.l.isLeader, { message: 'a steps down' });
    expect(a.events.at(-1)).toMatch(/^deposed: another instance took the lease/);
    expect(await a.l.writable()).toMatch(/does not lead/);
  });

  it('renews before writing when a busy process let the lease run out, and keeps renewing after', async () => {
    const key = new RevisionedKey();
    const a = lease(key, 'a', 200);
    a.l.start();
    await waitFor(() => a.l.isLeader, { message: 'a leads' });
    // The event loop is blocked longer than the lease: no renewal could run.
    const until = performance.now() + 260;
    while (performance.now() < until);
    expect(a.l.mayWrite()).toMatch(/could not be renewed/);
    // A slow answer: the lease's own timer fires while this renewal is under way.
    key.delayMs = 120;
    expect(await a.l.writable()).toBeUndefined();
    key.delayMs = 0;
    const writes = key.writes;
    await new Promise((r) => setTimeout(r, 400));
    expect(key.writes).toBeGreaterThan(writes + 2);
    expect(a.l.isLeader).toBe(true);
  });

  it('takes its own lease back at once after a restart, and gives it up when it stops', async () => {
    const key = new RevisionedKey();
    const first = lease(key, 'a', 5000);
    first.l.start();
    await waitFor(() => first.l.isLeader, { message: 'a leads' });
    leases.splice(leases.indexOf(first.l), 1);
    // Killed: no stop(), the key still names it. A new process of the same instance:
    const again = lease(key, 'a', 5000);
    again.l.start();
    await waitFor(() => again.l.isLeader, { timeoutMs: 1000, message: 'a leads again without waiting 5 s' });
    await again.l.stop();
    leases.splice(leases.indexOf(again.l), 1);
    expect(key.holder()).toBeUndefined();
    const b = lease(key, 'b', 5000);
    b.l.start();
    await waitFor(() => b.l.isLeader, { timeoutMs: 1000, message: 'b leads at once after a gave up' });
  });
});
