import type { CatalogValue } from '@stocknerve/protocol';
import { localStock } from '@stocknerve/sync';
import { useState } from 'preact/hooks';
import { ageOf, agoText, money } from '../node/format.js';
import { searchProducts } from '../node/node-data.js';
import { useAsync, useAutoFocus, useNode, useNow, useValue } from '../ui/hooks.js';

/**
 * Stock lookup: this store's figures (offline-correct) and nearby stores' with their age, each with
 * the units shipped towards the store and not received yet.
 */
export const LookupScreen = () => {
  const node = useNode();
  const searchRef = useAutoFocus<HTMLInputElement>();
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<CatalogValue | null>(null);
  const catalog = useValue(node.data.catalog$);
  const stock = useValue(node.data.stock$);
  const locations = useValue(node.data.locations$);
  const changed = useValue(node.data.eventsChanged$);
  const now = useNow(1000);
  // Recomputed on local events and on anything pulled: the hub's figures and this node's
  // watermark (which says which local events the figures already include) arrive separately.
  const hubChanged = useValue(node.data.hubChanged$);
  const figures = useAsync(() => localStock(node.db, node.identity), [changed, hubChanged]);
  const results = searchProducts(catalog, query, 20);
  const own = selected ? figures?.get(selected.sku) : undefined;
  // Only the hub knows what other stores shipped here: this store's in-transit is its pulled figure.
  const ownInTransit = selected
    ? (stock.find((s) => s.value.sku === selected.sku && s.value.location === node.identity.location)?.value
        .inTransit ?? 0)
    : 0;
  const nearby = selected
    ? stock
        .filter((s) => s.value.sku === selected.sku && s.value.location !== node.identity.location)
        .sort((a, b) => b.value.available - a.value.available)
    : [];

  const focusResult = (index: number) =>
    (document.querySelectorAll<HTMLButtonElement>('.results button')[index] ?? null)?.focus();

  return (
    <section class="screen" aria-labelledby="lookup-title">
      <h1 id="lookup-title">Stock lookup</h1>
      <div class="two-columns">
        <div class="work narrow">
          <div class="form-row">
            <label for="lookup-search">SKU, barcode or name</label>
            <input
              id="lookup-search"
              ref={searchRef}
              type="search"
              autocomplete="off"
              value={query}
              onInput={(e) => setQuery(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && results[0]) {
                  e.preventDefault();
                  setSelected(results[0]);
                } else if (e.key === 'ArrowDown') {
                  e.preventDefault();
                  focusResult(0);
                }
              }}
            />
          </div>
          <ul class="results" aria-label="Matching products">
            {results.map((p, i) => (
              <li key={p.sku}>
                <button
                  type="button"
                  class={selected?.sku === p.sku ? 'result selected' : 'result'}
                  aria-current={selected?.sku === p.sku}
                  onClick={() => setSelected(p)}
                  onKeyDown={(e) => {
                    if (e.key === 'ArrowDown') {
                      e.preventDefault();
                      focusResult(i + 1);
                    } else if (e.key === 'ArrowUp') {
                      e.preventDefault();
                      if (i === 0) searchRef.current?.focus();
                      else focusResult(i - 1);
                    }
                  }}
                >
                  <span>{p.name}</span>
                  <span class="mono muted">{p.sku}</span>
                </button>
              </li>
            ))}
          </ul>
          {query.trim() && results.length === 0 ? <p class="muted">No product matches “{query}”.</p> : null}
        </div>
        <div class="detail" aria-live="polite">
          {selected ? (
            <>
              <h2 data-testid="lookup-product">
                {selected.name} <span class="mono muted">{selected.sku}</span>
              </h2>
              <p class="muted">
                Barcode {selected.barcode ?? '—'} · {money(selected.priceCents, selected.currency)}
                {selected.category ? ` · ${selected.category}` : ''}
              </p>
              <h3>This store ({node.identity.location})</h3>
              <div class="figures" data-testid="own-stock">
                <Figure label="On hand" value={own?.onHand ?? 0} testId="own-on-hand" />
                <Figure label="Reserved" value={own?.reserved ?? 0} testId="own-reserved" />
                <Figure label="Available" value={own?.available ?? 0} testId="own-available" strong />
                <Figure label="Damaged" value={own?.damaged ?? 0} testId="own-damaged" />
                {ownInTransit > 0 ? <Figure label="In transit" value={ownInTransit} testId="own-in-transit" /> : null}
              </div>
              <p class="muted small">
                {own?.hubAsOf ? `Hub figures from ${agoText(ageOf(own.hubAsOf, now))}` : 'No hub figures yet'}
                {own?.unappliedEvents
                  ? `, plus ${own.unappliedEvents} sale(s)/movement(s) of this terminal not at the hub yet`
                  : ''}
                .{ownInTransit > 0 ? ` ${ownInTransit} on the way here: not on hand until received.` : ''}
              </p>
              <h3>Nearby stores</h3>
              <table class="lines" aria-label="Nearby stores" data-testid="nearby">
                <thead>
                  <tr>
                    <th scope="col">Store</th>
                    <th scope="col" class="num">
                      On hand
                    </th>
                    <th scope="col" class="num">
                      Reserved
                    </th>
                    <th scope="col" class="num">
                      Available
                    </th>
                    <th scope="col" class="num">
                      In transit
                    </th>
                    <th scope="col" class="num">
                      As of
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {nearby.map(({ value }) => {
                    const age = ageOf(value.asOf, now);
                    return (
                      <tr key={value.location} data-location={value.location}>
                        <td>
                          {locations.get(value.location)?.name ?? value.location}{' '}
                          <span class="mono muted">{value.location}</span>
                        </td>
                        <td class="num">{value.onHand}</td>
                        <td class="num">{value.reserved}</td>
                        <td class="num">
                          <strong>{value.available}</strong>
                        </td>
                        <td class="num" data-testid="nearby-in-transit">
                          {value.inTransit}
                        </td>
                        <td class={`num ${age !== null && age > 15 * 60_000 ? 'stale' : ''}`} data-testid="nearby-age">
                          {agoText(age)}
                        </td>
                      </tr>
                    );
                  })}
                  {nearby.length === 0 ? (
                    <tr class="empty">
                      <td colSpan={6}>No figures from other stores of this region yet.</td>
                    </tr>
                  ) : null}
                </tbody>
              </table>
            </>
          ) : (
            <p class="muted">Search a product, then Enter (or ↓ and Enter) to see its stock here and nearby.</p>
          )}
        </div>
      </div>
    </section>
  );
};

const Figure = ({
  label,
  value,
  testId,
  strong,
}: {
  label: string;
  value: number;
  testId: string;
  strong?: boolean;
}) => (
  <div class={strong ? 'figure strong' : 'figure'}>
    <span class="figure-label">{label}</span>
    <span class="figure-value" data-testid={testId}>
      {value}
    </span>
  </div>
);
