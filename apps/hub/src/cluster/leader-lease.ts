import type { KV } from '@nats-io/kv';
import type { Logger } from '../logger.js';

/** The lease's key in the hub cluster bucket. */
export const LEASE_KEY = 'leader';

/** What the lease key holds. */
export interface LeaseRecord {
  readonly instance: string;
  /** Counts leaders: each takeover adds one. */
  readonly term: number;
  /** Wall clock of the holder at its last renewal (for people; expiry never reads it). */
  readonly renewedAt: string;
}

export interface LeaseStatus {
  readonly role: 'leader' | 'follower';
  /** The instance holding the lease as last seen, if any. */
  readonly leader: string | undefined;
  readonly term: number;
  /**
   * Leader: ms since its last successful renewal. Follower: ms since it last saw the lease change
   * (a dead leader's lease is taken over when this passes the lease duration).
   */
  readonly leaseAgeMs: number | undefined;
}

export interface LeaderLeaseDeps {
  readonly kv: KV;
  readonly instanceId: string;
  /** How long a lease lasts without renewal, ms. */
  readonly leaseMs: number;
  readonly log: Logger;
  /** This instance now leads (its term). Runs before the next renewal. */
  readonly onElected: (term: number) => void | Promise<void>;
  /** This instance no longer leads (why). */
  readonly onDeposed: (reason: string) => void;
  /** A monotonic clock, ms (performance.now by default): wall-clock jumps never extend a lease. */
  readonly monotonicNow?: () => number;
  readonly wallNow?: () => number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const isRevisionConflict = (error: unknown) => /wrong last sequence|key exists/i.test(String(error));

/**
 * Leadership among hub instances as a lease in a replicated KV key. The leader renews it every
 * quarter of the lease with an update conditional on the revision it last wrote; a follower polls
 * it and takes it over, again conditionally, once it has seen no new revision for a whole lease.
 * Expiry is judged by each instance on its own monotonic clock from what it saw, never from the
 * holder's wall clock. The leader stops writing as soon as a lease's time has passed since its
 * last renewal was sent, which a follower only counts from after that renewal landed; a leader
 * that was paused past that and writes anyway is refused by the event stream's
 * expected-last-subject-sequence (docs/decisions/0027-hub-leader-lease-and-group-commit.md).
 */
export class LeaderLease {
  private role: 'leader' | 'follower' = 'follower';
  private revision = 0;
  private term = 0;
  private leader: string | undefined;
  /** Leader: when the last successful renewal was sent. */
  private renewedAt = Number.NEGATIVE_INFINITY;
  /** Follower: the revision last seen, and when it was first seen. */
  private seenRevision = -1;
  private seenAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;
  private readonly mono: () => number;
  private readonly wall: () => number;
  private settle: (() => void) | undefined;
  /** Resolves once this instance leads or has seen who does. */
  private readonly settled = new Promise<void>((resolve) => {
    this.settle = resolve;
  });

  constructor(private readonly deps: LeaderLeaseDeps) {
    this.mono = deps.monotonicNow ?? (() => performance.now());
    this.wall = deps.wallNow ?? Date.now;
  }

  /** How often the leader renews. */
  get renewEveryMs(): number {
    return Math.max(100, Math.floor(this.deps.leaseMs / 4));
  }

  /** How often a follower looks at the lease. */
  get pollEveryMs(): number {
    return Math.max(50, Math.floor(this.deps.leaseMs / 10));
  }

  status(): LeaseStatus {
    const now = this.mono();
    const since = this.role === 'leader' ? this.renewedAt : this.seenRevision >= 0 ? this.seenAt : undefined;
    return {
      role: this.role,
      leader: this.role === 'leader' ? this.deps.instanceId : this.leader,
      term: this.term,
      leaseAgeMs: since === undefined || !Number.isFinite(since) ? undefined : Math.round(now - since),
    };
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  /** Why this instance may not write now, or undefined when it holds a lease whose time has not run out. */
  mayWrite(): string | undefined {
    if (this.role !== 'leader') return `this instance (${this.deps.instanceId}) does not lead`;
    if (this.mono() - this.renewedAt >= this.deps.leaseMs)
      return 'the lease could not be renewed in time (NATS unreachable?)';
    return undefined;
  }

  /**
   * Why this instance may not write, after renewing first when its lease ran out only because this
   * process was too busy to renew in time: a conditional update that still succeeds proves nobody
   * took over, and starts a new lease from when it was sent.
   */
  async writable(): Promise<string | undefined> {
    const refused = this.mayWrite();
    if (refused === undefined || this.role !== 'leader' || this.stopped) return refused;
    while (this.ticking) await new Promise((r) => setTimeout(r, 5));
    if (this.role !== 'leader') return this.mayWrite();
    if (this.mayWrite() === undefined) return undefined;
    this.ticking = true;
    try {
      const lateMs = Math.round(this.mono() - this.renewedAt - this.deps.leaseMs);
      await this.renew();
      if (this.role === 'leader')
        this.deps.log.warn({ lateMs }, 'the lease ran out before this busy process renewed it; renewed before writing');
    } catch (error) {
      this.deps.log.warn({ err: error }, 'leader lease: could not renew before writing');
    } finally {
      this.ticking = false;
    }
    return this.mayWrite();
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Waits (at most `timeoutMs`) until this instance leads or knows which instance does. */
  async whenSettled(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Stops; a leader gives the lease up so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.ticking) await new Promise((r) => setTimeout(r, 10));
    if (this.role !== 'leader') return;
    this.stepDown('stopping');
    await this.deps.kv.delete(LEASE_KEY, { previousSeq: this.revision }).catch(() => undefined);
  }

  /** Something else says another instance wrote (the stream fenced an append): look now. */
  checkNow(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      // A renewal before a write is under way: look again soon, never let the loop end here.
      this.schedule(50);
      return;
    }
    this.ticking = true;
    try {
      if (this.role === 'leader') await this.renew();
      else await this.observe();
    } catch (error) {
      this.deps.log.warn({ err: error }, 'leader lease: could not reach the cluster bucket');
    } finally {
      this.ticking = false;
      if (!this.stopped) this.schedule(this.role === 'leader' ? this.renewEveryMs : this.pollEveryMs);
    }
  }

  private record(term: number): Uint8Array {
    const value: LeaseRecord = {
      instance: this.deps.instanceId,
      term,
      renewedAt: new Date(this.wall()).toISOString(),
    };
    return encoder.encode(JSON.stringify(value));
  }

  private async renew(): Promise<void> {
    const sentAt = this.mono();
    try {
      this.revision = await this.deps.kv.update(LEASE_KEY, this.record(this.term), this.revision);
      this.renewedAt = sentAt;
    } catch (error) {
      if (isRevisionConflict(error) || /not found|no message/i.test(String(error))) {
        this.stepDown('another instance took the lease');
        return;
      }
      throw error;
    }
  }

  private async observe(): Promise<void> {
    const entry = await this.deps.kv.get(LEASE_KEY);
    const now = this.mono();
    if (entry?.operation !== 'PUT') {
      // Nobody holds it (a first start, or the last leader gave it up).
      await this.claim(this.term + 1, async (value) => this.deps.kv.create(LEASE_KEY, value));
      return;
    }
    let held: LeaseRecord | undefined;
    try {
      held = JSON.parse(decoder.decode(entry.value)) as LeaseRecord;
    } catch {
      held = undefined;
    }
    this.leader = held?.instance;
    this.term = Math.max(this.term, held?.term ?? 0);
    if (this.leader !== this.deps.instanceId) this.settle?.();
    if (entry.revision !== this.seenRevision) {
      this.seenRevision = entry.revision;
      this.seenAt = now;
      // The lease of this very instance, before a restart: nobody else may be leading on it.
      if (held?.instance !== this.deps.instanceId) return;
    } else if (now - this.seenAt < this.deps.leaseMs) return;
    await this.claim(this.term + 1, async (value) => this.deps.kv.update(LEASE_KEY, value, entry.revision));
  }

  private async claim(term: number, write: (value: Uint8Array) => Promise<number>): Promise<void> {
    const sentAt = this.mono();
    let revision: number;
    try {
      revision = await write(this.record(term));
    } catch (error) {
      if (isRevisionConflict(error)) return; // another instance was faster
      throw error;
    }
    this.revision = revision;
    this.renewedAt = sentAt;
    this.term = term;
    this.role = 'leader';
    this.leader = this.deps.instanceId;
    this.deps.log.info({ instance: this.deps.instanceId, term }, 'this hub instance now leads');
    await this.deps.onElected(term);
    this.settle?.();
  }

  private stepDown(reason: string): void {
    if (this.role !== 'leader') return;
    this.role = 'follower';
    this.seenRevision = -1;
    this.deps.log.warn(
      { instance: this.deps.instanceId, term: this.term, reason },
      'this hub instance stopped leading',
    );
    this.deps.onDeposed(reason);
  }
}
