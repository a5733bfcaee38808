import { clockWarningText, isClockWrong } from '../clock/terminal-clock.js';
import type { PickupState } from '../projection/state.js';
import type { InventoryView } from '../projection/view.js';
import { accept, type Decision, reject, type StoreCommandMetadata, UnknownCommandError } from './decision.js';
import type { StoreCommand } from './store-commands.js';

type Of<T extends StoreCommand['type']> = Extract<StoreCommand, { type: T }>;

// A store never refuses a sale for lack of stock: the goods left the shop, and the node's figures
// may be stale. Shortfalls are the hub's reconciliation's business.
const recordSale = ({ data }: Of<'RecordSale'>, view: InventoryView, meta: StoreCommandMetadata): Decision => {
  if (view.receipt(meta.location, data.receiptId))
    return reject('DuplicateReceipt', `receipt ${data.receiptId} is already recorded at ${meta.location}`);
  const totalCents = data.lines.reduce((sum, l) => sum + l.qty * l.unitPriceCents, 0);
  const { tenders, ...sale } = data;
  if (tenders) {
    const paidCents = tenders.reduce((sum, t) => sum + t.amountCents, 0);
    if (paidCents !== totalCents)
      return reject(
        'TendersDoNotCoverTotal',
        `tenders pay ${paidCents} cents of a ${totalCents} cent total: they must add up to it exactly`,
      );
  }
  return accept({ type: 'SaleRecorded', data: tenders ? { ...sale, totalCents, tenders } : { ...sale, totalCents } });
};

// Returns are checked against the receipt when this node knows it; a receipt rung up on another
// terminal may not have reached this one yet, so an unknown receipt is accepted. A receipt known
// only from earlier returns (nothing sold on it yet) is still unknown.
const recordReturn = ({ data }: Of<'RecordReturn'>, view: InventoryView, meta: StoreCommandMetadata): Decision => {
  const receipt = data.receiptId ? view.receipt(meta.location, data.receiptId) : undefined;
  if (receipt && receipt.sold.size > 0) {
    for (const line of data.lines) {
      const sold = receipt.sold.get(line.sku) ?? 0;
      if (sold === 0) return reject('NotOnReceipt', `${line.sku} is not on receipt ${data.receiptId}`);
      const returned = receipt.returned.get(line.sku) ?? 0;
      if (returned + line.qty > sold)
        return reject(
          'ReturnExceedsSale',
          `receipt ${data.receiptId} sold ${sold} × ${line.sku}, ${returned} already returned: cannot return ${line.qty}`,
        );
    }
  }
  return accept({ type: 'ReturnRecorded', data });
};

const shipTransfer = ({ data }: Of<'ShipTransfer'>, view: InventoryView, meta: StoreCommandMetadata): Decision => {
  if (data.to === meta.location) return reject('TransferToSelf', `cannot transfer from ${meta.location} to itself`);
  if (view.locations().length > 0 && !view.location(data.to))
    return reject('UnknownLocation', `unknown destination ${data.to}`);
  if (view.transfer(data.transferId)?.shipped)
    return reject('DuplicateTransfer', `transfer ${data.transferId} was already shipped`);
  return accept({ type: 'TransferShipped', data });
};

const receiveTransfer = (
  { data }: Of<'ReceiveTransfer'>,
  view: InventoryView,
  meta: StoreCommandMetadata,
): Decision => {
  const transfer = view.transfer(data.transferId);
  if (transfer?.received) return reject('TransferAlreadyReceived', `transfer ${data.transferId} was already received`);
  if (transfer?.shipped && (transfer.shipped.to !== meta.location || transfer.shipped.from !== data.from))
    return reject(
      'TransferNotForThisLocation',
      `transfer ${data.transferId} goes from ${transfer.shipped.from} to ${transfer.shipped.to}`,
    );
  return accept({ type: 'TransferReceived', data });
};

const adjustStock = ({ data }: Of<'AdjustStock'>): Decision => {
  const negativeOnly = data.reason === 'damage' || data.reason === 'theft' || data.reason === 'expiry';
  for (const line of data.lines) {
    if (negativeOnly && line.delta > 0)
      return reject('InvalidAdjustment', `${data.reason} removes stock: delta for ${line.sku} must be negative`);
    if (data.reason === 'found' && line.delta < 0)
      return reject('InvalidAdjustment', `found adds stock: delta for ${line.sku} must be positive`);
  }
  return accept({ type: 'StockAdjusted', data });
};

// A count sets on hand as of its HLC: from a clock that is wrong it would misplace the movements
// around it, and the hub holds it for review (docs/decisions/0025-clock-skew-and-stream-integrity.md).
// Sales and other movements are never refused: the hub counts them, placed at their store time.
const recordCount = ({ data }: Of<'RecordCount'>, meta: StoreCommandMetadata): Decision =>
  meta.clock && isClockWrong(meta.clock)
    ? reject('ClockSkew', clockWarningText(meta.clock), { skewMs: meta.clock.skewMs, maxSkewMs: meta.clock.maxSkewMs })
    : accept({ type: 'CycleCounted', data });

type OpenPickup = { readonly open: true; readonly order: NonNullable<PickupState['order']>; readonly picked: boolean };

const openPickupAt = (view: InventoryView, pickupId: string, location: string): OpenPickup | Decision => {
  const pickup = view.pickup(pickupId);
  if (!pickup?.order) return reject('UnknownPickup', `no pickup order ${pickupId}`);
  if (pickup.order.location !== location)
    return reject('PickupNotAtThisLocation', `pickup ${pickupId} is for ${pickup.order.location}`);
  if (pickup.completion) return reject('PickupNotOpen', `pickup ${pickupId} is already ${pickup.completion.kind}`);
  return { open: true, order: pickup.order, picked: pickup.picked };
};

const pickPickup = ({ data }: Of<'PickPickup'>, view: InventoryView, meta: StoreCommandMetadata): Decision => {
  const open = openPickupAt(view, data.pickupId, meta.location);
  if (!('open' in open)) return open;
  if (open.picked) return accept();
  return accept({ type: 'PickupPicked', data: { pickupId: data.pickupId, lines: [...open.order.lines] } });
};

const handOverPickup = ({ data }: Of<'HandOverPickup'>, view: InventoryView, meta: StoreCommandMetadata): Decision => {
  const open = openPickupAt(view, data.pickupId, meta.location);
  if (!('open' in open)) return open;
  return accept({ type: 'PickupHandedOver', data: { pickupId: data.pickupId, lines: [...open.order.lines] } });
};

const rejectPickup = ({ data }: Of<'RejectPickup'>, view: InventoryView, meta: StoreCommandMetadata): Decision => {
  const open = openPickupAt(view, data.pickupId, meta.location);
  if (!('open' in open)) return open;
  return accept({ type: 'PickupRejected', data });
};

/** Decides a command recorded at a store node, against the node's local view. */
export const decideStoreCommand = (
  command: StoreCommand,
  view: InventoryView,
  meta: StoreCommandMetadata,
): Decision => {
  switch (command.type) {
    case 'RecordSale':
      return recordSale(command, view, meta);
    case 'RecordReturn':
      return recordReturn(command, view, meta);
    case 'ReceiveGoods':
      return accept({ type: 'GoodsReceived', data: command.data });
    case 'ShipTransfer':
      return shipTransfer(command, view, meta);
    case 'ReceiveTransfer':
      return receiveTransfer(command, view, meta);
    case 'AdjustStock':
      return adjustStock(command);
    case 'RecordCount':
      return recordCount(command, meta);
    case 'PickPickup':
      return pickPickup(command, view, meta);
    case 'HandOverPickup':
      return handOverPickup(command, view, meta);
    case 'RejectPickup':
      return rejectPickup(command, view, meta);
    default:
      throw new UnknownCommandError(command);
  }
};
