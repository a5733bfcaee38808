import { countLinks, linkStatusOf, OFFLINE_AFTER_STALE_PERIODS, skewText } from '@stocknerve/domain';
import { type NodeClockSkew, nodeSyncStatuses } from '../views/node-status.js';
import {
  LOCATION_COLUMNS,
  locationCells,
  locationLinks,
  queryOf,
  type ReportContext,
  regionFilter,
} from './report-context.js';
import type { ReportQuery } from './report-filters.js';
import { countKpi, type Report, type ReportTable } from './report-model.js';

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 1000));
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** `3 h 12 min ahead` while the node's clock is wrong, `was 3 h 12 min ahead` once it is right again. */
const clockText = (skew: NodeClockSkew | null): string | null =>
  skew === null ? null : `${skew.current ? '' : 'was '}${skewText(skew.aheadMs)} ahead`;

/**
 * Store health: every location's link to the hub and its nodes — last heard, events waiting on the
 * node (its last heartbeat), seq gaps and what JetStream acked that the views do not hold yet — with
 * the hub's own projection lag.
 */
export const storeHealthReport = (rc: ReportContext, q: ReportQuery): Report => {
  const snap = rc.snapshot();
  const { hub } = rc;
  const nowMs = hub.now();
  const { staleAfterMs } = hub.config;
  const locations = snap.locations.filter((l) => q.region === undefined || l.region === q.region);
  const wanted = new Set(locations.map((l) => l.location));
  const links = locationLinks(hub, nowMs);
  const heartbeats = new Map(
    hub.store
      .all<{ node: string; last_acked_seq: number | null; app_version: string | null }>(
        'SELECT node, last_acked_seq, app_version FROM node_heartbeats',
      )
      .map((h) => [h.node, h]),
  );
  // The hub's own events (node `hub`) are not a store's: only nodes of defined locations are listed.
  const nodes = nodeSyncStatuses(hub.store, nowMs, staleAfterMs)
    .filter((n) => wanted.has(n.location))
    .map((n) => {
      const hb = heartbeats.get(n.node);
      const missing = n.gaps.reduce((s, [from, to]) => s + to - from + 1, 0);
      const ackedNotApplied = hb?.last_acked_seq == null ? null : Math.max(0, hb.last_acked_seq - n.maxSeq);
      return {
        ...n,
        missing,
        ackedNotApplied,
        lastAcked: hb?.last_acked_seq ?? null,
        appVersion: hb?.app_version ?? null,
      };
    });

  const locationRows = locations.map((l) => {
    const link = links.get(l.location);
    const own = nodes.filter((n) => n.location === l.location);
    const waiting = own.reduce<number | null>((s, n) => (n.pending === null ? s : (s ?? 0) + n.pending), null);
    const oldest = own.reduce<number | null>(
      (s, n) => (n.oldestPendingAgeMs === null ? s : Math.max(s ?? 0, n.oldestPendingAgeMs)),
      null,
    );
    return {
      ...locationCells(l),
      link: link?.status ?? 'offline',
      lastHeard: iso(link?.lastHeardMs ?? null),
      silentFor: seconds(link?.ageMs ?? null),
      nodes: own.length,
      waiting,
      oldestWaiting: seconds(oldest),
      missing: own.reduce((s, n) => s + n.missing, 0),
      ackedNotApplied: own.reduce<number | null>(
        (s, n) => (n.ackedNotApplied === null ? s : (s ?? 0) + n.ackedNotApplied),
        null,
      ),
    };
  });
  const linkCounts = countLinks(locationRows.map((r) => r.link));
  const waitingTotal = nodes.reduce((s, n) => s + (n.pending ?? 0), 0);
  const missingTotal = nodes.reduce((s, n) => s + n.missing, 0);
  const deadLetters = hub.store.get<{ n: number | null }>('SELECT SUM(count) AS n FROM dead_letters')?.n ?? 0;
  const skewedNodes = new Set(nodes.filter((n) => n.clockSkew?.current).map((n) => n.node));
  const integrity = hub.projector.integrity.problems;

  const locationTable: ReportTable = {
    id: 'locations',
    title: 'Locations',
    description: `Stale: not heard from for over ${Math.round(staleAfterMs / 60_000)} min (the hub then holds back a buffer of its stock). Offline: never heard from, or silent for over ${Math.round((staleAfterMs * OFFLINE_AFTER_STALE_PERIODS) / 60_000)} min.`,
    columns: [
      ...LOCATION_COLUMNS,
      { key: 'link', label: 'Link', kind: 'status' },
      { key: 'lastHeard', label: 'Last heard', kind: 'datetime', help: 'Latest event stored or heartbeat of any node' },
      { key: 'silentFor', label: 'Silent for', kind: 'duration' },
      { key: 'nodes', label: 'Nodes', kind: 'int' },
      {
        key: 'waiting',
        label: 'Events waiting',
        kind: 'int',
        help: 'Recorded on the nodes, not yet acknowledged by JetStream (last heartbeat)',
      },
      { key: 'oldestWaiting', label: 'Oldest waiting', kind: 'duration' },
      { key: 'missing', label: 'Missing seqs', kind: 'int', help: 'Seq gaps below the newest applied event of a node' },
      {
        key: 'ackedNotApplied',
        label: 'Acked, not applied',
        kind: 'int',
        help: 'Seqs JetStream acknowledged to a node (its last heartbeat) above the highest the views hold: projection lag per node',
      },
    ],
    rows: locationRows,
    empty: 'No locations match the filters.',
    tone: (row) => (row.link === 'offline' ? 'bad' : row.link === 'stale' ? 'warn' : undefined),
  };
  const nodeTable: ReportTable = {
    id: 'nodes',
    title: 'Nodes',
    columns: [
      { key: 'node', label: 'Node', kind: 'text' },
      { key: 'location', label: 'Location', kind: 'text' },
      { key: 'region', label: 'Region', kind: 'text' },
      { key: 'link', label: 'Link', kind: 'status' },
      { key: 'lastHeard', label: 'Last heard', kind: 'datetime' },
      { key: 'silentFor', label: 'Silent for', kind: 'duration' },
      {
        key: 'lastEventAt',
        label: 'Last event at',
        kind: 'datetime',
        help: 'When the newest applied event happened on the node',
      },
      { key: 'eventsApplied', label: 'Events applied', kind: 'int' },
      { key: 'watermark', label: 'Watermark', kind: 'int', help: 'Every seq up to this one is applied' },
      { key: 'maxSeq', label: 'Highest seq', kind: 'int' },
      { key: 'missing', label: 'Missing seqs', kind: 'int' },
      { key: 'gaps', label: 'Gaps', kind: 'text' },
      { key: 'waiting', label: 'Events waiting', kind: 'int' },
      { key: 'oldestWaiting', label: 'Oldest waiting', kind: 'duration' },
      { key: 'lastAcked', label: 'Last acked seq', kind: 'int' },
      { key: 'ackedNotApplied', label: 'Acked, not applied', kind: 'int' },
      { key: 'appVersion', label: 'App version', kind: 'text' },
      {
        key: 'clock',
        label: 'Clock',
        kind: 'text',
        help: `How far ahead of the stream's store time the node's latest event beyond ${skewText(hub.config.maxClockSkewMs)} was: its counts are held for review, its movements placed at their store time`,
      },
      {
        key: 'clockSkewEvents',
        label: 'Events ahead',
        kind: 'int',
        help: 'Events of the node whose clock was ahead beyond the bound',
      },
      { key: 'clockSkewSeenAt', label: 'Last ahead at', kind: 'datetime' },
    ],
    rows: nodes.map((n) => ({
      node: n.node,
      location: n.location,
      region: n.region,
      link: linkStatusOf(n.lastHeardAgeMs, staleAfterMs),
      lastHeard: n.lastHeardAt,
      silentFor: seconds(n.lastHeardAgeMs),
      lastEventAt: n.lastEventAt,
      eventsApplied: n.eventsApplied,
      watermark: n.watermark,
      maxSeq: n.maxSeq,
      missing: n.missing,
      gaps: n.gaps.map(([from, to]) => (from === to ? String(from) : `${from}-${to}`)).join(' '),
      waiting: n.pending,
      oldestWaiting: seconds(n.oldestPendingAgeMs),
      lastAcked: n.lastAcked,
      ackedNotApplied: n.ackedNotApplied,
      appVersion: n.appVersion,
      clock: clockText(n.clockSkew),
      clockSkewEvents: n.clockSkew?.events ?? 0,
      clockSkewSeenAt: n.clockSkew?.lastSeenAt ?? null,
    })),
    empty: 'No node of these locations has been heard from.',
    tone: (row) =>
      row.link === 'offline' || skewedNodes.has(String(row.node))
        ? 'bad'
        : row.link === 'stale' || Number(row.missing) > 0
          ? 'warn'
          : undefined,
  };
  const { lagMessages, lagSeconds } = hub.metrics;
  return {
    id: 'stores',
    title: 'Store health',
    intro: 'Which stores the hub hears from, how much their nodes still have to send, and how far the hub is behind.',
    asOf: new Date(nowMs).toISOString(),
    today: snap.window.today,
    checkpoint: snap.checkpoint,
    currency: snap.currency,
    filters: [regionFilter(snap, q.region)],
    query: queryOf({ region: q.region }),
    sections: [
      {
        kind: 'kpis',
        items: [
          { id: 'online', label: 'Online', value: linkCounts.online, kind: 'int', tone: 'good' },
          countKpi('stale', 'Stale', linkCounts.stale, 'warn'),
          countKpi('offline', 'Offline', linkCounts.offline, 'bad'),
          { id: 'events-waiting', label: 'Events waiting on nodes', value: waitingTotal, kind: 'int' },
          countKpi('missing-seqs', 'Missing seqs', missingTotal, 'warn'),
          countKpi(
            'lag-messages',
            'Projection lag (messages)',
            lagMessages,
            'warn',
            `${lagSeconds.toFixed(1)} s behind · at stream seq ${snap.checkpoint.toLocaleString('en-GB')}`,
          ),
          countKpi('dead-letters', 'Dead letters', deadLetters, 'warn'),
          countKpi(
            'clocks-wrong',
            'Clocks wrong',
            skewedNodes.size,
            'bad',
            'Nodes whose latest event came with a clock ahead of the stream',
          ),
        ],
      },
      ...(integrity.length === 0
        ? []
        : [
            {
              kind: 'note' as const,
              id: 'stream-integrity',
              title: 'The views may not follow the event stream',
              text: `${integrity.map((p) => p.message).join('. ')}. See the runbook, "When /health answers 503".`,
              tone: 'bad' as const,
            },
          ]),
      ...(skewedNodes.size === 0
        ? []
        : [
            {
              kind: 'note' as const,
              id: 'clock-skew',
              title: 'Terminals with a wrong clock',
              text: `${[...skewedNodes].join(', ')}: their clock is ahead of the hub's. Their sales and other movements count, placed at the time the hub received them; their counts are held for review (dead letters, reason clock-skew) until the clock is fixed and the count recorded again.`,
              tone: 'bad' as const,
            },
          ]),
      { kind: 'table', table: locationTable },
      { kind: 'table', table: nodeTable },
    ],
  };
};
