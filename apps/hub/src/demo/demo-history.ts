import {
  type DecidedEvent,
  deterministicEventId,
  formatHlc,
  type Hlc,
  hlcNow,
  hlcZero,
  type InventoryEvent,
  stampEvent,
} from '@stocknerve/domain';
import { DEMO_CATALOG, DEMO_LOCATIONS, demoDailyRate, demoStartingQty } from './demo-data.js';

const DAY_MS = 86_400_000;
/** Days of till history: the reports' velocity window. */
export const DEMO_HISTORY_DAYS = 28;
/** Lines per demo receipt. */
const LINES_PER_RECEIPT = 3;
/** The first receipt of a day, after opening (10:00 UTC), then one every 20 minutes. */
const FIRST_RECEIPT_MS = 10 * 3_600_000;
const RECEIPT_EVERY_MS = 20 * 60_000;

/** The back-office node the demo records a location's history on. */
export const backOfficeNode = (location: string): string => `${location}-backoffice`;

/**
 * A location's demo history as its back-office node records it: the starting stock, received 28
 * days before today, then the till receipts of every day up to now (stores only). Ids, seqs and HLCs
 * follow from the location and `nowMs`, so the same day gives the same events.
 */
export const demoHistory = (locationIndex: number, nowMs: number): InventoryEvent[] => {
  const l = DEMO_LOCATIONS[locationIndex];
  if (!l) return [];
  const node = backOfficeNode(l.location);
  const todayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const firstDay = todayStart - (DEMO_HISTORY_DAYS - 1) * DAY_MS;
  const receipts: { at: number; lines: { sku: string; qty: number; unitPriceCents: number }[] }[] = [];
  const sold = new Map<string, number>();
  if (l.kind === 'store')
    for (let d = 0; d < DEMO_HISTORY_DAYS; d++) {
      // Units of each SKU on day d: the rate spread evenly, so 28 days sell about 28 × rate.
      const lines = DEMO_CATALOG.flatMap((item, si) => {
        const rate = demoDailyRate(locationIndex, si);
        const qty = Math.floor((d + 1) * rate) - Math.floor(d * rate);
        return qty > 0 ? [{ sku: item.sku, qty, unitPriceCents: item.priceCents }] : [];
      });
      for (let i = 0; i * LINES_PER_RECEIPT < lines.length; i++) {
        const at = firstDay + d * DAY_MS + FIRST_RECEIPT_MS + i * RECEIPT_EVERY_MS;
        if (at >= nowMs) break;
        const chunk = lines.slice(i * LINES_PER_RECEIPT, (i + 1) * LINES_PER_RECEIPT);
        for (const line of chunk) sold.set(line.sku, (sold.get(line.sku) ?? 0) + line.qty);
        receipts.push({ at, lines: chunk });
      }
    }

  let hlc: Hlc = hlcZero(node);
  let seq = 0;
  const stamp = (decided: DecidedEvent, at: number): InventoryEvent => {
    hlc = hlcNow(hlc, at);
    seq++;
    return stampEvent(decided, {
      id: deterministicEventId(at, node, seq),
      location: l.location,
      node,
      seq,
      hlc: formatHlc(hlc),
      occurredAt: new Date(at).toISOString(),
      correlationId: `seed-${l.location}-${seq}`,
    });
  };
  const received = stamp(
    {
      type: 'GoodsReceived',
      data: {
        purchaseOrderId: `PO-DEMO-${l.location}`,
        lines: DEMO_CATALOG.map((item, si) => ({
          sku: item.sku,
          qty: demoStartingQty(locationIndex, si, sold.get(item.sku) ?? 0),
        })),
      },
    },
    firstDay - DAY_MS + FIRST_RECEIPT_MS,
  );
  return [
    received,
    ...receipts.map((r, i) =>
      stamp(
        {
          type: 'SaleRecorded',
          data: {
            receiptId: `R-DEMO-${l.location}-${i + 1}`,
            currency: 'EUR',
            lines: r.lines,
            totalCents: r.lines.reduce((s, x) => s + x.qty * x.unitPriceCents, 0),
          },
        },
        r.at,
      ),
    ),
  ];
};
