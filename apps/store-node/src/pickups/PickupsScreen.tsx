import type { RejectPickupData } from '@stocknerve/domain';
import type { PickupValue } from '@stocknerve/protocol';
import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { ageOf, agoText } from '../node/format.js';
import { useAutoFocus, useNode, useNow, useValue } from '../ui/hooks.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { matchesOrder, orderFor } from './find-order.js';
import { shortages } from './held-units.js';
import { isOpen, type PickupEntry, useStoreStock } from './use-store-stock.js';

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

/**
 * Click-and-collect: orders the hub placed at this store; find one by its order number (scanned
 * from the customer's confirmation) or name, pick, hand over or reject it.
 */
export const PickupsScreen = () => {
  const node = useNode();
  const stock = useStoreStock();
  const catalog = useValue(node.data.catalog$);
  const now = useNow(5000);
  const [notice, setNotice] = useState<NoticeValue>(null);
  const [rejecting, setRejecting] = useState<string | null>(null);
  const [reason, setReason] = useState<RejectReason>('item-not-found');
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const searchRef = useAutoFocus<HTMLInputElement>();
  // The step takes the focus, so a keyboard-only cashier confirms with Enter or backs out with Escape.
  useEffect(() => {
    if (confirming)
      document
        .querySelector<HTMLButtonElement>(`[data-pickup="${CSS.escape(confirming)}"] [data-testid="confirm-handover"]`)
        ?.focus();
  }, [confirming]);

  const entries = stock.pickups.filter((e) => matchesOrder(e, query));
  const openCount = stock.pickups.filter(isOpen).length;
  const byPlaced = (a: PickupEntry, b: PickupEntry) => (a.placedAt ?? '').localeCompare(b.placedAt ?? '');
  const open = entries.filter(isOpen).sort(byPlaced);
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
    setConfirming(null);
    setNote('');
    if (action === 'HandOverPickup' && searchRef.current) {
      // Ready for the next customer's scan, with the whole queue in view again.
      searchRef.current.value = '';
      setQuery('');
      searchRef.current.focus();
    }
    const what = { PickPickup: 'picked', HandOverPickup: 'handed over', RejectPickup: 'rejected' }[action];
    setNotice({ kind: 'ok', text: `Order ${ref} ${what}.` });
  };

  const card = (e: PickupEntry) => {
    const { pickup } = e;
    const open = isOpen(e);
    const onHand = stock.onHand;
    const short = open ? shortages(pickup.order, stock.holds, (sku) => onHand(sku) ?? Number.POSITIVE_INFINITY) : [];
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
        {open ? (
          confirming === pickup.pickupId ? (
            <fieldset class="confirm-form" data-testid="handover-confirm">
              <legend data-testid="handover-customer">
                {pickup.order.customerName
                  ? `Hand over order ${pickup.order.orderRef} to ${pickup.order.customerName}?`
                  : `Hand over order ${pickup.order.orderRef} to the customer?`}
              </legend>
              <p class="small">Check the customer’s name, then give them:</p>
              <ul class="pickup-lines">
                {pickup.order.lines.map((l) => (
                  <li key={l.sku}>
                    {l.qty} × {catalog.bySku.get(l.sku.toUpperCase())?.name ?? l.sku}
                  </li>
                ))}
              </ul>
              <div class="actions">
                <button
                  type="button"
                  class="primary"
                  data-testid="confirm-handover"
                  onClick={() => void act(e, 'HandOverPickup')}
                  onKeyDown={(ev) => {
                    if (ev.key === 'Escape') setConfirming(null);
                  }}
                >
                  Confirm hand-over
                </button>
                <button type="button" onClick={() => setConfirming(null)}>
                  Cancel
                </button>
              </div>
            </fieldset>
          ) : rejecting === pickup.pickupId ? (
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
              <button
                type="button"
                class="primary"
                data-testid="handover"
                onClick={() => {
                  setConfirming(pickup.pickupId);
                  setRejecting(null);
                }}
              >
                Hand over…
              </button>
              <button
                type="button"
                onClick={() => {
                  setRejecting(pickup.pickupId);
                  setConfirming(null);
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
      <div class="scan-field">
        <label for="pickups-search">Order number or customer name</label>
        <input
          id="pickups-search"
          ref={searchRef}
          class="scan-input"
          type="search"
          autocomplete="off"
          spellcheck={false}
          aria-describedby="pickups-search-hint"
          onInput={(ev) => setQuery(ev.currentTarget.value)}
          onKeyDown={(ev) => {
            // The scan capture fills the field's first key without an input event: Enter reads it all.
            const typed = ev.currentTarget.value;
            if (ev.key === 'Enter') {
              ev.preventDefault();
              setQuery(typed);
              const only = orderFor(stock.pickups.filter(isOpen), typed);
              if (only)
                document
                  .querySelector<HTMLButtonElement>(
                    `[data-pickup="${CSS.escape(only.pickup.pickupId)}"] [data-testid="handover"]`,
                  )
                  ?.focus();
            } else if (ev.key === 'Escape') {
              ev.currentTarget.value = '';
              setQuery('');
            }
          }}
        />
        <small id="pickups-search-hint" class="hint">
          Scan the order number on the customer’s confirmation, or type part of it or their name.
        </small>
      </div>
      <h2>
        Open orders <span class="count">{openCount}</span>
      </h2>
      {open.length === 0 ? (
        <p class="muted" data-testid="pickups-empty">
          {query.trim() ? `No open order matches “${query.trim()}”.` : 'No open orders for this store.'}
        </p>
      ) : null}
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
