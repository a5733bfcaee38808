// Shared by the in-process repros: the benchmark day's messages as the projector receives them,
// and an SqlStore wrapper that times every statement and the commits.

import type { SqlStore, StreamMessage } from '@stocknerve/hub/internal';
import { hubEventSubject, storeEventSubject } from '@stocknerve/protocol';
import { STREAM_LAYOUT } from '../lib/stream-lab.js';
import { BulkEventSource, locationFacts } from '../simulator/world.js';

/** The hub's location facts, then `events` store events of the benchmark day, numbered from 1. */
export const benchDayMessages = (events: number, seed: string): StreamMessage[] => {
  const enc = new TextEncoder();
  const msgs: StreamMessage[] = [];
  let seq = 0;
  for (const f of locationFacts(STREAM_LAYOUT))
    msgs.push({ subject: hubEventSubject(), seq: ++seq, storedMs: Date.now(), body: enc.encode(JSON.stringify(f)) });
  const src = new BulkEventSource(STREAM_LAYOUT, seed);
  const region = new Map(STREAM_LAYOUT.nodes.map((n) => [n.node, n.region]));
  for (let i = 0; i < events; i++) {
    const e = src.next();
    msgs.push({
      subject: storeEventSubject(region.get(e.node) ?? '', e.location, e.node),
      seq: ++seq,
      storedMs: Date.now(),
      body: enc.encode(JSON.stringify(e)),
    });
  }
  return msgs;
};

/** Wraps a store so that each statement's time and count, and the time of commits, add up. */
export const timedStore = (inner: SqlStore) => {
  const stats = new Map<string, { n: number; us: number }>();
  let txUs = 0;
  let bodyUs = 0;
  const timed = <T>(sql: string, fn: () => T): T => {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      const s = stats.get(sql) ?? { n: 0, us: 0 };
      s.n++;
      s.us += (performance.now() - t0) * 1000;
      stats.set(sql, s);
    }
  };
  const store: SqlStore = {
    ...inner,
    run: (q, ...p) => timed(q, () => inner.run(q, ...p)),
    get: (q, ...p) => timed(q, () => inner.get(q, ...p)),
    all: (q, ...p) => timed(q, () => inner.all(q, ...p)),
    transaction: (fn) => {
      const t0 = performance.now();
      try {
        return inner.transaction(() => {
          const t1 = performance.now();
          try {
            return fn();
          } finally {
            bodyUs += (performance.now() - t1) * 1000;
          }
        });
      } finally {
        txUs += (performance.now() - t0) * 1000;
      }
    },
  };
  /** Lines of a report per `unit` (event, call): totals, then the `top` most expensive statements. */
  const report = (count: number, top = 10, unit = 'event'): string[] => {
    const stmtUs = [...stats.values()].reduce((a, s) => a + s.us, 0);
    const per = (us: number) => (us / count).toFixed(1);
    const total =
      txUs > 0
        ? `${per(txUs)} us/${unit} in transactions, of which commits ${per(txUs - bodyUs)}, SQL statements ${per(stmtUs)}:`
        : `${per(stmtUs)} us/${unit} in SQL statements:`;
    return [
      total,
      ...[...stats]
        .sort((a, b) => b[1].us - a[1].us)
        .slice(0, top)
        .map(
          ([sql, s]) =>
            `${per(s.us).padStart(6)} us/${unit} ${(s.n / count).toFixed(2).padStart(5)}×  ${sql.replace(/\s+/g, ' ').slice(0, 100)}`,
        ),
    ];
  };
  return { store, report };
};
