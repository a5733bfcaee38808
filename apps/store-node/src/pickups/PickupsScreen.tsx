import type { RejectPickupData } from '@stocknerve/domain';
import type { PickupValue } from '@stocknerve/protocol';
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { ageOf, agoText } from '../node/format.js';
import { useNode, useNow, useValue } from '../ui/hooks.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { shortages } from './held-units.js';
import { type PickupEntry, useStoreStock } from './use-store-stock.js';

type RejectReason = z.infer<typeof RejectPickupData>['reason'];

const REJECT_REASONS: readonly { value: RejectReason; label: string }[] = [
  { value: 'item-not-found', label: 'Item not found' },
  { value: 'damaged', label: 'Item damaged' },
  { value: 'customer-no-show', label: 'Customer did not come' },
  { value: 'other', label: 'Other' },
];

const reasonLabel = (reason: string) => REJECT_REASONS.find((r) => r.value === reason)?.label ?? reason;

const STATUS_LABEL: Record<PickupValue['status'], string> = {
  placed: 'To pick',
  picked: 'Ready for customer',
  'handed-over': 'Handed over',
  rejected: 'Rejected',
};

/** Click-and-collect: orders the hub placed at this store; pick, hand over or reject them. */
export const PickupsScreen = () => {
  const node = useNode();
  const stock = useStoreStock();
  const catalog = useValue(node.data.catalog$);
  const now = useNow(5000);
  const [notice, setNotice] = useState<NoticeValue>(null);
  const [rejecting, setRejecting] = useState<string | null>(null);
  const [reason, setReason] = useState<RejectReason>('item-not-found');
  const [note, setNote] = useState('');

  const entries = stock.pickups;
  const byPlaced = (a: PickupEntry, b: PickupEntry) => (a.placedAt ?? '').localeCompare(b.placedAt ?? '');
  const open = entries.filter((e) => e.status === 'placed' || e.status === 'picked').sort(byPlaced);
  const done = entries
    .filter((e) => e.status === 'handed-over' || e.status === 'rejected')
    .sort((a, b) => byPlaced(b, a))
    .slice(0, 10);

  const act = async (entry: PickupEntry, action: 'PickPickup' | 'HandOverPickup' | 'RejectPickup') => {
    const { pickupId } = entry.pickup;
    const ref = entry.pickup.order.orderRef;
    const outcome = await node.commands.run(() => ({
      correlationId: pickupId,
      command:
        action === 'RejectPickup'
          ? { type: action, data: { pickupId, reason, ...(note.trim() ? { note: note.trim() } : {}) } }
          : { type: action, data: { pickupId } },
    }));
    if (!outcome.ok) {
      setNotice({ kind: 'error', code: outcome.code, text: outcome.message });
      return;
    }
    setRejecting(null);
    setNote('');
    const what = { PickPickup: 'picked', HandOverPickup: 'handed over', RejectPickup: 'rejected' }[action];
    setNotice({ kind: 'ok', text: `Order ${ref} ${what}.` });
  };

  const card = (e: PickupEntry) => {
    const { pickup } = e;
    const isOpen = e.status === 'placed' || e.status === 'picked';
    const onHand = stock.onHand;
    const short = isOpen ? shortages(pickup.order, stock.holds, (sku) => onHand(sku) ?? Number.POSITIVE_INFINITY) : [];
    return (
      <li key={pickup.pickupId} class={`pickup status-${e.status}`} data-pickup={pickup.pickupId} data-testid="pickup">
        <div class="pickup-head">
          <strong>Order {pickup.order.orderRef}</strong>
          <span class={`badge badge-${e.status}`} data-testid="pickup-status">
            {STATUS_LABEL[e.status]}
          </span>
        </div>
        <p class="muted small">
          {pickup.order.customerName ? `${pickup.order.customerName} · ` : ''}
          {pickup.order.channel} · placed {agoText(ageOf(e.placedAt, now))}
          {pickup.completion?.kind === 'rejected' ? ` · ${reasonLabel(pickup.completion.reason)}` : ''}
        </p>
        <ul class="pickup-lines">
          {pickup.order.lines.map((l) => (
            <li key={l.sku}>
              {l.qty} × {catalog.bySku.get(l.sku.toUpperCase())?.name ?? l.sku} <span class="mono muted">{l.sku}</span>
            </li>
          ))}
        </ul>
        {short.length > 0 ? (
          <p class="notice notice-warn" data-testid="pickup-shortage">
            Short: {short.map((s) => `${s.missing} × ${s.sku} (${Math.max(0, onHand(s.sku) ?? 0)} on hand)`).join(', ')}
            . Find them or reject the order.
          </p>
        ) : null}
        {isOpen ? (
          rejecting === pickup.pickupId ? (
            <div class="reject-form">
              <div class="form-row">
                <label for={`reason-${pickup.pickupId}`}>Reason</label>
                <select
                  id={`reason-${pickup.pickupId}`}
                  value={reason}
                  onChange={(ev) => setReason(ev.currentTarget.value as RejectReason)}
                >
                  {REJECT_REASONS.map((r) => (
                    <option key={r.value} value={r.value}>
                      {r.label}
                    </option>
                  ))}
                </select>
              </div>
              <div class="form-row">
                <label for={`note-${pickup.pickupId}`}>Note</label>
                <input
                  id={`note-${pickup.pickupId}`}
                  type="text"
                  maxLength={500}
                  value={note}
                  onInput={(ev) => setNote(ev.currentTarget.value)}
                />
              </div>
              <div class="actions">
                <button type="button" class="danger" onClick={() => void act(e, 'RejectPickup')}>
                  Confirm rejection
                </button>
                <button type="button" onClick={() => setRejecting(null)}>
                  Cancel
                </button>
              </div>
            </div>
          ) : (
            <div class="actions">
              {e.status === 'placed' ? (
                <button type="button" onClick={() => void act(e, 'PickPickup')}>
                  Mark picked
                </button>
              ) : null}
              <button type="button" class="primary" onClick={() => void act(e, 'HandOverPickup')}>
                Hand over
              </button>
              <button
                type="button"
                onClick={() => {
                  setRejecting(pickup.pickupId);
                  setReason('item-not-found');
                  setNote('');
                }}
              >
                Reject…
              </button>
            </div>
          )
        ) : null}
      </li>
    );
  };

  return (
    <section class="screen" aria-labelledby="pickups-title">
      <h1 id="pickups-title">Click &amp; collect</h1>
      <Notice value={notice} />
      <h2>
        Open orders <span class="count">{open.length}</span>
      </h2>
      {open.length === 0 ? <p class="muted">No open orders for this store.</p> : null}
      <ul class="pickup-list" aria-label="Open pickup orders">
        {open.map(card)}
      </ul>
      {done.length > 0 ? (
        <>
          <h2>Recently completed</h2>
          <ul class="pickup-list done" aria-label="Completed pickup orders">
            {done.map(card)}
          </ul>
        </>
      ) : null}
    </section>
  );
};
