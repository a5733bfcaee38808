import { AckPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { type BenchOptions, fig, result, type ScenarioResult } from '../lib/context.js';
import { nowMs } from '../lib/stats.js';
import { publishAll, type StreamLab } from '../lib/stream-lab.js';

export interface LimitFigures {
  readonly publishRate: number;
  readonly consumeRate: number;
  readonly messages: number;
}

const RAW_STREAM = 'BENCH_RAW';

/**
 * (1) What this machine's JetStream does with the same payloads and no application logic: one
 * client publishing with ~1,000 PubAcks in flight (msg ids on, as the nodes publish), then one
 * durable pull consumer with explicit acks that JSON.parses every message (up to 4,000 buffered,
 * 8,000 unacked; the projector's 20,000 and 40,000 measured within 2 % of it, 63k against 62k msg/s).
 */
export const limitScenario = async (
  lab: StreamLab,
  count: number,
  options: BenchOptions,
): Promise<{ result: ScenarioResult; figures: LimitFigures }> => {
  const r = result('limit', '1. The limit: raw JetStream on this machine');
  const messages = lab.firstEvents(count);
  await lab.jsm.streams.add({
    name: RAW_STREAM,
    subjects: ['raw.>'],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(120_000),
  });
  options.log(`  publishing ${count.toLocaleString('en')} messages`);
  const published = await publishAll(lab.js, count, (i) => {
    const m = messages[i] as (typeof messages)[number];
    return { subject: `raw.${m.subject}`, data: m.data, msgID: m.msgID };
  });
  await lab.jsm.consumers.add(RAW_STREAM, {
    durable_name: 'raw-consumer',
    ack_policy: AckPolicy.Explicit,
    max_ack_pending: 8000,
  });
  const consumer = await lab.js.consumers.get(RAW_STREAM, 'raw-consumer');
  const iter = await consumer.consume({ max_messages: 4000 });
  let received = 0;
  let bytes = 0;
  let t0 = 0;
  options.log('  consuming');
  for await (const m of iter) {
    if (received === 0) t0 = nowMs();
    const parsed = JSON.parse(m.string()) as { id?: string };
    if (typeof parsed.id === 'string') bytes += m.data.length;
    m.ack();
    if (++received >= count) break;
  }
  const consumeMs = nowMs() - t0;
  await iter.close();
  await lab.jsm.streams.delete(RAW_STREAM);
  const consumeRate = ((count - 1) / consumeMs) * 1000;
  r.figures.push(
    fig('async publish (msg id, ~1,000 in flight)', published.rate, 'msg/s'),
    fig('pull consume (explicit ack + JSON.parse)', consumeRate, 'msg/s'),
    fig('payload', bytes / count, 'bytes avg'),
  );
  r.notes.push(
    `${count.toLocaleString('en')} store events of the benchmark day (the same payloads scenario 2 ingests), file storage; one client signed in as the admin (operator mode).`,
  );
  Object.assign(r.data, {
    messages: count,
    publishRate: published.rate,
    publishMs: published.ms,
    consumeRate,
    consumeMs,
    avgBytes: bytes / count,
  });
  return { result: r, figures: { publishRate: published.rate, consumeRate, messages: count } };
};
