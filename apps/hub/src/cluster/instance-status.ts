import type { KV } from '@nats-io/kv';
import type { Logger } from '../logger.js';

/** What each hub instance tells the others about itself, in the cluster bucket. */
export interface InstanceStatus {
  readonly instance: string;
  readonly role: 'leader' | 'follower';
  /** The base URL of its HTTP API, as it listens. */
  readonly url: string;
  /** The last stream sequence its views hold. */
  readonly checkpoint: number;
  /** Messages of the stream its views do not hold yet. */
  readonly lagMessages: number;
  readonly startedAt: string;
  /** When it wrote this (its wall clock). */
  readonly at: string;
}

const PREFIX = 'instance.';
const encoder = new TextEncoder();

/** Writes this instance's status every `everyMs` (best effort: a failed write is tried next time). */
export class InstanceStatusPublisher {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kv: KV,
    private readonly instanceId: string,
    private readonly status: () => Omit<InstanceStatus, 'instance' | 'at'>,
    private readonly log: Logger,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    const write = () =>
      this.kv
        .put(
          `${PREFIX}${this.instanceId}`,
          encoder.encode(JSON.stringify({ instance: this.instanceId, ...this.status(), at: new Date().toISOString() })),
        )
        .catch((error: unknown) => this.log.debug({ err: error }, 'could not write this instance status'));
    void write();
    this.timer = setInterval(() => void write(), this.everyMs);
  }

  /** Stops writing and removes this instance from the list. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.kv.delete(`${PREFIX}${this.instanceId}`).catch(() => undefined);
  }
}

/** Every instance that wrote its status within `freshMs`, by id. */
export const listInstances = async (kv: KV, freshMs: number, now = Date.now()): Promise<InstanceStatus[]> => {
  const keys: string[] = [];
  for await (const key of await kv.keys(`${PREFIX}*`)) keys.push(key);
  const out: InstanceStatus[] = [];
  for (const key of keys.sort()) {
    const entry = await kv.get(key).catch(() => null);
    if (entry?.operation !== 'PUT') continue;
    try {
      const status = entry.json<InstanceStatus>();
      if (now - Date.parse(status.at) <= freshMs) out.push(status);
    } catch {
      // Not ours to judge: skipped.
    }
  }
  return out;
};

/**
 * The instances as last read from the bucket, re-read every `everyMs`: /health answers from here,
 * so a probe costs no KV round trip.
 */
export class InstanceDirectory {
  private timer: NodeJS.Timeout | undefined;
  private known: InstanceStatus[] = [];

  constructor(
    private readonly kv: KV,
    private readonly freshMs: number,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    const read = () =>
      listInstances(this.kv, this.freshMs).then(
        (list) => {
          this.known = list;
        },
        () => undefined,
      );
    void read();
    this.timer = setInterval(() => void read(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  current(): readonly InstanceStatus[] {
    return this.known;
  }
}
