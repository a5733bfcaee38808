import type { SkuLine } from '@stocknerve/domain';
import { NAMES, parseEventSubject } from '@stocknerve/protocol';
import type { HubContext } from '../hub-context.js';
import { listIncidents } from '../views/incidents-queries.js';
import {
  type AffectedOrder,
  oversellText,
  pickupRejectedText,
  productText,
  rejectReasonText,
} from './incident-text.js';
import { REPORTS_BASE } from './paths.js';
import { categoryFilter, queryOf, type ReportContext, regionFilter, skuHref } from './report-context.js';
import type { ReportQuery } from './report-filters.js';
import { countKpi, type Report, type ReportTable, type Row, type Section } from './report-model.js';

/** Latest dead-lettered messages read back from the INV_DLQ stream. */
const DLQ_MESSAGES = 20;
/** Give up on the DLQ stream after this long (NATS down): the page shows the counts only. */
const DLQ_TIMEOUT_MS = 1500;
/** Incidents listed at most. */
const INCIDENT_LIMIT = 500;

interface DeadLetterMessage {
  readonly seq: number;
  readonly at: string;
  readonly reason: string;
  readonly detail: string;
  readonly region: string | null;
  readonly location: string | null;
  readonly node: string | null;
  readonly originalSeq: number | null;
  readonly eventType: string | null;
}

const eventTypeOf = (data: Uint8Array): string | null => {
  try {
    const body: unknown = JSON.parse(new TextDecoder().decode(data));
    return typeof body === 'object' && body !== null && 'type' in body && typeof body.type === 'string'
      ? body.type
      : null;
  } catch {
    return null;
  }
};

/** The newest dead letters, newest first; null when the stream cannot be read in time. */
const latestDeadLetters = async (hub: HubContext): Promise<DeadLetterMessage[] | null> => {
  const read = async () => {
    const info = await hub.jsm.streams.info(NAMES.deadLetterStream);
    const out: DeadLetterMessage[] = [];
    for (let seq = info.state.last_seq; seq >= Math.max(1, info.state.first_seq) && out.length < DLQ_MESSAGES; seq--) {
      const m = await hub.jsm.streams.getMessage(NAMES.deadLetterStream, { seq }).catch(() => null);
      if (!m) continue;
      const subject = m.header?.get('Stocknerve-Original-Subject') ?? '';
      const route = parseEventSubject(subject);
      const store = route.kind === 'store' ? route : null;
      const original = Number(m.header?.get('Stocknerve-Original-Seq'));
      out.push({
        seq: m.seq,
        at: m.time.toISOString(),
        reason: m.header?.get('Stocknerve-Reason') || m.subject.split('.').at(-1) || 'unknown',
        detail: m.header?.get('Stocknerve-Detail') ?? '',
        region: store?.region ?? null,
        location: store?.location ?? null,
        node: store?.node ?? (route.kind === 'hub' ? route.node : null),
        originalSeq: Number.isFinite(original) && original > 0 ? original : null,
        eventType: eventTypeOf(m.data),
      });
    }
    return out;
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), DLQ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read().catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Incidents: oversells found by reconciliation and pickups a store rejected, each with who is
 * affected and the proposed fix, and the messages the projector dead-lettered.
 */
export const incidentsReport = async (rc: ReportContext, q: ReportQuery): Promise<Report> => {
  const snap = rc.snapshot();
  const { hub } = rc;
  const nowMs = hub.now();
  const regionOf = (location: string | null) => (location ? (snap.locationById.get(location)?.region ?? null) : null);
  const inRegion = (location: string | null) => q.region === undefined || regionOf(location) === q.region;
  const inCategory = (sku: string) => q.category === undefined || snap.catalog.get(sku)?.category === q.category;
  const incidents = listIncidents(hub.store, { limit: INCIDENT_LIMIT }).filter(
    (i) => inRegion(i.location) && inCategory(i.sku),
  );
  const pickups = new Map(
    hub.store
      .all<{ pickup_id: string; channel: string | null; order_ref: string | null; customer_name: string | null }>(
        'SELECT pickup_id, channel, order_ref, customer_name FROM pickups',
      )
      .map((p) => [p.pickup_id, p]),
  );
  const reservations = new Map(
    hub.store
      .all<{ reservation_id: string; channel: string }>('SELECT reservation_id, channel FROM reservations')
      .map((r) => [r.reservation_id, r]),
  );
  const triggers = new Map(
    incidents.length === 0
      ? []
      : hub.store
          .all<{ event_id: string; type: string; node: string }>(
            `SELECT a.event_id, a.type, a.node FROM applied_events a JOIN incidents i ON i.triggered_by = a.event_id`,
          )
          .map((t) => [t.event_id, t]),
  );
  const nameOf = (location: string | null) =>
    location ? (snap.locationById.get(location)?.name ?? location) : 'an unknown store';
  const product = (sku: string) => productText(sku, snap.catalog.get(sku)?.name);
  const affectedOrders = (affected: (typeof incidents)[number]['affected']): AffectedOrder[] =>
    affected.map((a) => {
      if (a.kind === 'pickup') {
        const p = pickups.get(a.id);
        return { kind: 'pickup', qty: a.qty, orderRef: p?.order_ref, customerName: p?.customer_name };
      }
      return { kind: 'reservation', qty: a.qty, channel: reservations.get(a.id)?.channel };
    });
  const coverOf = (p: (typeof incidents)[number]['proposal']) =>
    p ? { name: nameOf(p.location), available: p.available, distanceKm: p.distanceKm } : null;
  const storesHref = (r: Row) =>
    `${REPORTS_BASE}/stores?${new URLSearchParams(queryOf({ region: r.region === null ? undefined : String(r.region) })).toString()}`;
  const proposalText = (p: (typeof incidents)[number]['proposal']) =>
    p
      ? `${p.location} (${snap.locationById.get(p.location)?.name ?? p.location}): ${p.available} available${p.distanceKm === null ? '' : `, ${p.distanceKm.toFixed(1)} km`}`
      : 'no location in the region can cover it';

  const oversells = incidents.filter((i) => i.kind === 'oversell');
  const oversellTable: ReportTable = {
    id: 'oversells',
    title: 'Oversells found at reconciliation',
    description:
      'Late store events (offline sales, counts) took a location below what reservations and pickups hold there.',
    columns: [
      { key: 'summary', label: 'What happened', kind: 'text' },
      { key: 'recordedAt', label: 'Recorded at', kind: 'datetime' },
      { key: 'location', label: 'Location', kind: 'text', href: storesHref },
      { key: 'region', label: 'Region', kind: 'text' },
      { key: 'sku', label: 'SKU', kind: 'text', href: (r) => skuHref(String(r.sku), { location: String(r.location) }) },
      { key: 'shortfall', label: 'Short by', kind: 'int' },
      { key: 'affected', label: 'Affected orders', kind: 'text' },
      { key: 'proposal', label: 'Proposed cover', kind: 'text' },
      { key: 'cause', label: 'Revealed by', kind: 'text' },
      { key: 'note', label: 'Note', kind: 'text' },
    ],
    rows: oversells.map((i) => {
      const t = triggers.get(i.triggeredBy);
      return {
        summary: oversellText({
          storeName: nameOf(i.location),
          product: product(i.sku),
          shortfall: i.shortfall,
          affected: affectedOrders(i.affected),
          cover: coverOf(i.proposal),
        }),
        recordedAt: i.recordedAt,
        location: i.location,
        region: regionOf(i.location),
        sku: i.sku,
        shortfall: i.shortfall,
        affected: i.affected.map((a) => `${a.kind} ${a.id} ×${a.qty}`).join('; '),
        proposal: proposalText(i.proposal),
        cause: t ? `${t.type} from ${t.node}` : i.triggeredBy,
        note: i.note,
      };
    }),
    empty: 'No oversell recorded.',
    tone: () => 'bad',
  };

  const rejected = hub.store
    .all<{
      pickup_id: string;
      channel: string | null;
      location: string | null;
      order_ref: string | null;
      customer_name: string | null;
      lines: string | null;
      reject_reason: string | null;
      reject_note: string | null;
      updated_at: string;
    }>("SELECT * FROM pickups WHERE status = 'rejected' ORDER BY updated_at DESC, pickup_id")
    .filter((p) => inRegion(p.location))
    .map((p) => ({ ...p, lines: JSON.parse(p.lines ?? '[]') as SkuLine[] }))
    .filter((p) => q.category === undefined || p.lines.some((l) => inCategory(l.sku)));
  const pickupIncidents = new Map(
    incidents.filter((i) => i.kind === 'pickup-rejected').map((i) => [i.affected[0]?.id ?? '', i]),
  );
  const rejectedTable: ReportTable = {
    id: 'rejected-pickups',
    title: 'Rejected pickups',
    description: 'Click-and-collect orders a store could not hand over, with where else the goods are.',
    columns: [
      { key: 'summary', label: 'What happened', kind: 'text' },
      { key: 'rejectedAt', label: 'Rejected at', kind: 'datetime' },
      { key: 'location', label: 'Location', kind: 'text', href: storesHref },
      { key: 'region', label: 'Region', kind: 'text' },
      { key: 'pickup', label: 'Pickup', kind: 'text' },
      { key: 'customer', label: 'Customer', kind: 'text' },
      { key: 'orderRef', label: 'Order', kind: 'text' },
      { key: 'channel', label: 'Channel', kind: 'text' },
      {
        key: 'lines',
        label: 'Lines',
        kind: 'text',
        href: (r) =>
          r.sku === null
            ? undefined
            : skuHref(String(r.sku), { location: r.location === null ? undefined : String(r.location) }),
      },
      { key: 'reason', label: 'Reason', kind: 'text' },
      { key: 'proposal', label: 'Proposed cover', kind: 'text' },
    ],
    rows: rejected.map((p) => {
      const incident = pickupIncidents.get(p.pickup_id);
      const reason = rejectReasonText(p.reject_reason, p.reject_note);
      const missing = incident
        ? [{ sku: incident.sku, qty: incident.shortfall }]
        : p.lines.map((l) => ({ sku: l.sku, qty: l.qty }));
      return {
        summary: pickupRejectedText({
          order: { kind: 'pickup', qty: 0, orderRef: p.order_ref, customerName: p.customer_name },
          storeName: nameOf(p.location),
          missing: missing.map((m) => ({ product: product(m.sku), qty: m.qty })),
          reason,
        }),
        rejectedAt: p.updated_at,
        location: p.location,
        region: regionOf(p.location),
        pickup: p.pickup_id,
        customer: p.customer_name,
        orderRef: p.order_ref,
        channel: p.channel,
        lines: p.lines.map((l) => `${l.sku} ×${l.qty}`).join(', '),
        reason,
        sku: missing[0]?.sku ?? null,
        proposal: incident ? proposalText(incident.proposal) : null,
      };
    }),
    empty: 'No pickup was rejected.',
    tone: () => 'warn',
  };

  const counts = hub.store.all<{ reason: string; count: number }>(
    'SELECT reason, count FROM dead_letters ORDER BY count DESC, reason',
  );
  const deadTotal = counts.reduce((s, c) => s + c.count, 0);
  const latest = await latestDeadLetters(hub);
  const dlqRows = (latest ?? []).filter((m) => q.region === undefined || m.region === q.region);
  const sections: Section[] = [
    {
      kind: 'kpis',
      items: [
        countKpi('oversells', 'Oversells', oversells.length, 'bad'),
        { id: 'units-short', label: 'Units short', value: oversells.reduce((s, i) => s + i.shortfall, 0), kind: 'int' },
        countKpi('rejected-pickups', 'Rejected pickups', rejected.length, 'warn'),
        countKpi('dead-letters', 'Dead letters', deadTotal, 'warn'),
      ],
    },
    { kind: 'table', table: oversellTable },
    { kind: 'table', table: rejectedTable },
    {
      kind: 'table',
      table: {
        id: 'dead-letter-counts',
        title: 'Dead letters by reason',
        description: 'Messages the projector could not apply; the originals stay in the event stream.',
        columns: [
          { key: 'reason', label: 'Reason', kind: 'text' },
          { key: 'count', label: 'Messages', kind: 'int' },
        ],
        rows: counts.map((c) => ({ reason: c.reason, count: c.count })),
        empty: 'No message was dead-lettered.',
      },
    },
    latest === null
      ? {
          kind: 'note',
          id: 'dlq-unavailable',
          tone: 'warn',
          text: `The ${NAMES.deadLetterStream} stream could not be read just now: only the counts are shown.`,
        }
      : {
          kind: 'table',
          table: {
            id: 'dead-letters',
            title: `Latest dead-lettered messages (${NAMES.deadLetterStream})`,
            columns: [
              { key: 'at', label: 'Dead-lettered at', kind: 'datetime' },
              { key: 'reason', label: 'Reason', kind: 'text' },
              { key: 'detail', label: 'What happened', kind: 'text' },
              { key: 'region', label: 'Region', kind: 'text' },
              { key: 'location', label: 'Location', kind: 'text' },
              { key: 'node', label: 'Node', kind: 'text' },
              { key: 'eventType', label: 'Event type', kind: 'text' },
              { key: 'originalSeq', label: 'Stream seq', kind: 'int' },
            ],
            rows: dlqRows.map((m) => ({
              at: m.at,
              reason: m.reason,
              detail: m.detail,
              region: m.region,
              location: m.location,
              node: m.node,
              eventType: m.eventType,
              originalSeq: m.originalSeq,
            })),
            empty: 'The dead-letter stream is empty.',
          },
        },
  ];
  return {
    id: 'incidents',
    title: 'Incidents',
    intro: 'What went wrong, who it affects and what the hub proposes.',
    asOf: new Date(nowMs).toISOString(),
    today: snap.window.today,
    checkpoint: snap.checkpoint,
    currency: snap.currency,
    filters: [regionFilter(snap, q.region), categoryFilter(snap, q.category)],
    query: queryOf({ region: q.region, category: q.category }),
    sections,
  };
};
