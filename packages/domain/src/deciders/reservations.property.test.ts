import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HUB_LOCATION, HUB_NODE } from '../events/envelope.js';
import { applyEvent } from '../projection/apply-event.js';
import { availableOf, channelAtp, type LocationTrust } from '../projection/quantities.js';
import { type InventoryState, initialInventoryState } from '../projection/state.js';
import { inventoryView, stockFiguresOf } from '../projection/view.js';
import { type HubScenario, hubScenarioArb, WORLD_START_MS } from '../testing/arbitraries.js';
import { eventFactory } from '../testing/event-factory.js';
import type { DecidedEvent } from './decision.js';
import { decideHubCommand } from './hub-decider.js';

// The hub grants a hold only if it fits, so holds alone can never promise stock that is not there.
// (A store's late sale can still drive available below zero: that is reconciliation's business, and
// no sale happens in these scenarios.)

const FULL: LocationTrust = { kind: 'full' };

/** Folds the scenario's master data and stock, then decides and applies its commands one by one. */
const run = (
  scenario: HubScenario,
  afterEachStep: (state: InventoryState, trust: (l: string) => LocationTrust) => void,
) => {
  const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE, startMs: WORLD_START_MS - 60_000, stepMs: 1 });
  const state = initialInventoryState();
  const record = (decided: DecidedEvent) => applyEvent(state, hub.next(decided));
  const trust = (location: string) => scenario.trust[location] ?? FULL;
  for (const { location, kind } of scenario.locations)
    record({ type: 'LocationDefined', data: { location, region: 'north', kind, name: location } });
  for (const { location, sku, qty } of scenario.stock) {
    if (qty === 0) continue;
    const store = eventFactory({ location, node: `${location}-t1`, startMs: WORLD_START_MS - 120_000 });
    applyEvent(
      state,
      store.next({ type: 'GoodsReceived', data: { purchaseOrderId: `PO-${sku}`, lines: [{ sku, qty }] } }),
    );
  }
  for (const data of scenario.safety) record({ type: 'SafetyStockSet', data });
  for (const data of scenario.allocations) record({ type: 'ChannelAllocationSet', data });
  afterEachStep(state, trust);
  const outcomes: string[] = [];
  for (const { now, command } of scenario.commands) {
    const decision = decideHubCommand(command, inventoryView(state), { now, trust });
    outcomes.push(decision.ok ? `${command.type}:ok` : `${command.type}:${decision.code}`);
    if (decision.ok) for (const decided of decision.events) record(decided);
    afterEachStep(state, trust);
  }
  return outcomes;
};

describe('reservations and pickup orders decided by the hub', () => {
  it('never make available negative at any location, nor promise more than the network-wide pool', () => {
    fc.assert(
      fc.property(hubScenarioArb(), (scenario) => {
        run(scenario, (state, trust) => {
          const view = inventoryView(state);
          const locations = scenario.locations.map((l) => l.location);
          for (const sku of scenario.skus) {
            for (const location of locations) {
              // Safety stock alone may exceed what is on hand; holds must not take it any lower.
              const f = stockFiguresOf(state, sku, location);
              const floor = Math.min(0, f.onHand - f.safetyStock);
              expect(availableOf(f), `available ${location}/${sku}`).toBeGreaterThanOrEqual(floor);
              if (f.reserved > 0) expect(availableOf(f)).toBeGreaterThanOrEqual(0);
            }
            for (const channel of ['web', 'marketplace-a']) {
              const atp = channelAtp(view, { channel, sku, locations, trust });
              const contributed = atp.perLocation.reduce((sum, l) => sum + l.contributes, 0);
              expect(contributed - view.networkReserved(sku), `network pool of ${sku}`).toBeGreaterThanOrEqual(0);
              expect(atp.atp).toBeGreaterThanOrEqual(0);
            }
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it('never let a channel hold more than its allocation allows', () => {
    fc.assert(
      fc.property(hubScenarioArb(), (scenario) => {
        run(scenario, (state, trust) => {
          const view = inventoryView(state);
          for (const sku of scenario.skus)
            for (const channel of ['web', 'marketplace-a']) {
              const rule = view.allocation(channel, sku);
              if (!rule) continue;
              const sellable = scenario.locations
                .filter((l) => trust(l.location).kind !== 'exclude')
                .map((l) => stockFiguresOf(state, sku, l.location))
                .reduce((sum, f) => sum + Math.max(0, f.onHand - f.safetyStock), 0);
              const allowed = rule.kind === 'cap' ? rule.cap : Math.floor(rule.share * sellable);
              expect(view.channelHeld(channel, sku), `${channel} holds of ${sku}`).toBeLessThanOrEqual(allowed);
            }
        });
      }),
      { numRuns: 100 },
    );
  });

  it('exercise every outcome: holds are granted, refused, replayed, confirmed, released and expired', () => {
    const seen = new Set<string>();
    for (const scenario of fc.sample(hubScenarioArb(), { numRuns: 150, seed: 42 }))
      for (const o of run(scenario, () => {})) seen.add(o);
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'PlaceReservation:ok',
        'PlaceReservation:InsufficientStock',
        'PlaceReservation:IdempotencyKeyReused',
        'ConfirmReservation:ok',
        'ConfirmReservation:ReservationNotActive',
        'ReleaseReservation:ok',
        'ExpireReservation:ok',
        'ExpireReservation:ReservationNotDue',
        'PlacePickupOrder:ok',
        'PlacePickupOrder:NotAStore',
      ]),
    );
  });
});
