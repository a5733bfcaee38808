import {
  AdjustStockData,
  decideStoreCommand,
  describeIssues,
  fieldIssues,
  type InventoryEvent,
  PickupRef,
  ReceiveGoodsData,
  ReceiveTransferData,
  RecordCountData,
  RecordReturnData,
  RecordSaleData,
  RejectPickupData,
  ShipTransferData,
  type StoreCommand,
} from '@stocknerve/domain';
import type { NodeIdentity } from '@stocknerve/protocol';
import type { SyncClient } from '@stocknerve/sync';
import type { z } from 'zod';
import type { LocalView } from './local-view.js';

/** What a screen gets back: the recorded events, or why nothing was recorded. */
export type CommandOutcome =
  | { readonly ok: true; readonly events: readonly InventoryEvent[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

const DATA_SCHEMAS: { readonly [T in StoreCommand['type']]: z.ZodType } = {
  RecordSale: RecordSaleData,
  RecordReturn: RecordReturnData,
  ReceiveGoods: ReceiveGoodsData,
  ShipTransfer: ShipTransferData,
  ReceiveTransfer: ReceiveTransferData,
  AdjustStock: AdjustStockData,
  RecordCount: RecordCountData,
  PickPickup: PickupRef,
  HandOverPickup: PickupRef,
  RejectPickup: RejectPickupData,
};

/**
 * Runs every store command the same way: validate the data, decide it with the domain's
 * `decideStoreCommand` against the node's local view, record the decided events through the sync
 * client (the local commit point, online or not), fold them into the view. One at a time, so two
 * quick commands never decide against the same stale view.
 */
export class CommandRunner {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sync: SyncClient,
    private readonly view: LocalView,
    private readonly identity: NodeIdentity,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs a command. `build` may read the view first (e.g. to number a receipt) and returns the
   * command and its correlation id.
   */
  run(build: (view: LocalView) => { command: StoreCommand; correlationId: string }): Promise<CommandOutcome> {
    const result = this.tail.then(() => this.runNow(build));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async runNow(
    build: (view: LocalView) => { command: StoreCommand; correlationId: string },
  ): Promise<CommandOutcome> {
    if (this.sync.status.restoring)
      return {
        ok: false,
        code: 'Restoring',
        message:
          'This terminal has no history yet and is restoring it from the hub: connect it to the hub once, then try again.',
      };
    const { command, correlationId } = build(this.view);
    const parsed = DATA_SCHEMAS[command.type].safeParse(command.data);
    if (!parsed.success) {
      const message = describeIssues(fieldIssues(parsed.error));
      console.info(`${command.type} invalid: ${message}`);
      return { ok: false, code: 'Invalid', message };
    }
    const decision = decideStoreCommand(command, await this.view.snapshot(), {
      now: this.now(),
      location: this.identity.location,
      node: this.identity.node,
      clock: this.sync.status.clock ?? undefined,
    });
    if (!decision.ok) {
      console.info(`${command.type} refused: ${decision.code}: ${decision.message}`);
      return { ok: false, code: decision.code, message: decision.message };
    }
    if (decision.events.length === 0) return { ok: true, events: [] };
    try {
      const events = await this.sync.record(decision.events, { correlationId });
      this.view.applyRecorded(events);
      return { ok: true, events };
    } catch (error) {
      return { ok: false, code: 'NotStored', message: `Could not store on this terminal: ${String(error)}` };
    }
  }
}
