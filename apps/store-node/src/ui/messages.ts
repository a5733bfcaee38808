/**
 * Turns a refusal (a decider's rejection code and message, or a validation problem) into a sentence
 * for the cashier. The codes stay in the console and the API; the till shows only the sentence.
 */
export const cashierText = (code: string, message: string): string => {
  const sentence = SENTENCES[code];
  return sentence ? sentence(message) : message;
};

const match = (message: string, re: RegExp): string[] | null => re.exec(message)?.slice(1) ?? null;

const FIELD_NAMES: Readonly<Record<string, string>> = {
  qty: 'quantity',
  countedQty: 'counted quantity',
  expectedQty: 'expected quantity',
  delta: 'change',
  sku: 'item',
  unitPriceCents: 'price',
  currency: 'currency',
  receiptId: 'receipt number',
  to: 'destination',
  from: 'origin',
  reason: 'reason',
  note: 'note',
  area: 'area',
  lines: 'lines',
};

/** `lines.1.qty: Too small…; note: Too big…` → "line 2: quantity; note". */
const invalidFields = (message: string): string =>
  message
    .split('; ')
    .map((issue) => {
      const path =
        issue
          .split(':')[0]
          ?.trim()
          .replace(/^data\./, '') ?? '';
      const line = match(path, /^lines\.(\d+)\.(\w+)$/);
      if (line) return `line ${Number(line[0]) + 1}: ${FIELD_NAMES[line[1] ?? ''] ?? line[1]}`;
      if (path === 'lines') return 'at least one line';
      return FIELD_NAMES[path] ?? path;
    })
    .join('; ');

const SENTENCES: Readonly<Record<string, (message: string) => string>> = {
  Invalid: (m) => `Some entries are not valid (${invalidFields(m)}): check them and try again.`,
  UnknownItem: (m) => m,
  NotOnReceipt: (m) => {
    const [sku, receipt] = match(m, /^(\S+) is not on receipt (\S+)/) ?? [];
    return sku
      ? `${sku} was not sold on receipt ${receipt}: check the receipt number, or leave it empty.`
      : 'An item was not sold on this receipt.';
  },
  ReturnExceedsSale: (m) => {
    const [receipt, sold, sku, returned, asked] =
      match(m, /^receipt (\S+) sold (\d+) × (\S+), (\d+) already returned: cannot return (\d+)/) ?? [];
    return receipt
      ? `Receipt ${receipt} sold ${sold} × ${sku} and ${returned} came back already: ${asked} more cannot be returned on it.`
      : 'More units than the receipt sold cannot be returned on it.';
  },
  DuplicateReceipt: () => 'This receipt number is already recorded: complete the sale again for a new one.',
  DuplicateTransfer: () => 'This transfer was already shipped.',
  TransferToSelf: () => 'Goods cannot be transferred to this same store: choose another destination.',
  TransferAlreadyReceived: () => 'This transfer was already received.',
  TransferNotForThisLocation: () => 'This transfer was shipped to another store: check the transfer number.',
  UnknownLocation: () => 'That store or warehouse is not known to this till yet: choose another or sync first.',
  UnknownPickup: () => 'This pickup order is not known to this till yet: sync and try again.',
  PickupNotAtThisLocation: () => 'This pickup order is for another store.',
  PickupNotOpen: (m) => {
    const [state] = match(m, /is already (\S+)$/) ?? [];
    return `This pickup order is already ${state === 'handed-over' ? 'handed over' : (state ?? 'closed')}.`;
  },
  InvalidAdjustment: () =>
    'This reason goes one way only: losses remove stock (negative), found goods add it (positive).',
  InsufficientStock: () => 'Not enough stock for that.',
  TendersDoNotCoverTotal: () => 'The payments do not add up to the total: check the amounts.',
  ClockSkew: (m) => m,
  Restoring: (m) => m,
  NotStored: () => 'This till could not store it: try again, and call support if it keeps failing.',
};
