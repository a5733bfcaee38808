/**
 * The movements ledger is partitioned by stream position so that the part a batch writes to stays
 * small however long the history (see schema.ts). The epoch of a line is fixed by its event's stream
 * seq, so a rebuild partitions exactly as the live projector did.
 *
 * A full batch dirties nearly every page of the epoch it writes to, so the epoch's size is what each
 * commit writes, while a whole-history cell query seeks once per epoch: the size balances the two
 * (docs/decisions/0006-ledger-epochs.md).
 */
export const LEDGER_EPOCH_EVENTS = 16_384;

export const ledgerEpochOf = (streamSeq: number): number => Math.floor(streamSeq / LEDGER_EPOCH_EVENTS);

/**
 * SQL conditions naming the epochs a cell query has to visit, for `movements` (aliased or not):
 * each leads the primary key, so the query seeks (epoch, location, sku) once per epoch.
 */
export const inLedgerEpochs = {
  /** Every epoch. */
  all: 'epoch IN (SELECT epoch FROM ledger_epochs)',
  /** Epochs that can hold an HLC at or before the parameter. */
  upTo: 'epoch IN (SELECT epoch FROM ledger_epochs WHERE min_hlc <= ?)',
  /** Epochs that can hold an HLC after the parameter. */
  after: 'epoch IN (SELECT epoch FROM ledger_epochs WHERE max_hlc > ?)',
  /** Epochs that can hold an HLC in (first parameter, second parameter]. */
  between: 'epoch IN (SELECT epoch FROM ledger_epochs WHERE max_hlc > ? AND min_hlc <= ?)',
} as const;
