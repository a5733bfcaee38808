/** A small retailer: two regions, six stores and a warehouse, forty products. */
export const DEMO_LOCATIONS = [
  { location: 'store-001', region: 'north', kind: 'store', name: 'Lille Centre', geo: { lat: 50.6367, lon: 3.0635 } },
  {
    location: 'store-002',
    region: 'north',
    kind: 'store',
    name: 'Lille Euralille',
    geo: { lat: 50.6369, lon: 3.0753 },
  },
  { location: 'store-003', region: 'north', kind: 'store', name: 'Roubaix', geo: { lat: 50.6942, lon: 3.1746 } },
  { location: 'wh-north', region: 'north', kind: 'warehouse', name: 'Lesquin DC', geo: { lat: 50.5898, lon: 3.1113 } },
  { location: 'store-101', region: 'south', kind: 'store', name: 'Lyon Part-Dieu', geo: { lat: 45.7606, lon: 4.8593 } },
  { location: 'store-102', region: 'south', kind: 'store', name: 'Lyon Bellecour', geo: { lat: 45.7578, lon: 4.832 } },
  { location: 'store-103', region: 'south', kind: 'store', name: 'Villeurbanne', geo: { lat: 45.7719, lon: 4.8902 } },
] as const;

const PRODUCTS = [
  ['Trail running shoe', 'footwear', 8999],
  ['Road running shoe', 'footwear', 7999],
  ['Hiking boot', 'footwear', 11999],
  ['Wool socks (3 pack)', 'footwear', 1499],
  ['Rain jacket', 'apparel', 6999],
  ['Down jacket', 'apparel', 14999],
  ['Fleece pullover', 'apparel', 3999],
  ['Merino base layer', 'apparel', 4999],
  ['Running tights', 'apparel', 3499],
  ['Cap', 'apparel', 1299],
  ['Daypack 20 L', 'bags', 4499],
  ['Backpack 40 L', 'bags', 9999],
  ['Hydration vest', 'bags', 6999],
  ['Water bottle 750 ml', 'accessories', 1199],
  ['Headlamp', 'accessories', 2999],
  ['Trekking poles', 'accessories', 5999],
  ['Sunglasses', 'accessories', 3999],
  ['GPS watch', 'electronics', 24999],
  ['Heart rate strap', 'electronics', 4999],
  ['Power bank', 'electronics', 2999],
  ['Tent 2 person', 'camping', 19999],
  ['Sleeping bag', 'camping', 12999],
  ['Sleeping mat', 'camping', 5999],
  ['Camping stove', 'camping', 3999],
  ['Cookset', 'camping', 2999],
  ['Energy gel', 'nutrition', 249],
  ['Energy bar', 'nutrition', 199],
  ['Electrolyte tabs', 'nutrition', 799],
  ['Recovery drink', 'nutrition', 1999],
  ['Trail mix', 'nutrition', 399],
  ['Bike helmet', 'cycling', 5999],
  ['Bike gloves', 'cycling', 1999],
  ['Bike lights set', 'cycling', 2999],
  ['Inner tube', 'cycling', 699],
  ['Bike lock', 'cycling', 3499],
  ['Yoga mat', 'fitness', 2999],
  ['Dumbbells 2 x 5 kg', 'fitness', 3999],
  ['Resistance bands', 'fitness', 1499],
  ['Jump rope', 'fitness', 999],
  ['Foam roller', 'fitness', 2499],
] as const;

/** EAN-13 with a valid check digit, from a 12-digit stem. */
const ean13 = (stem: string): string => {
  const sum = [...stem].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${stem}${(10 - (sum % 10)) % 10}`;
};

export const DEMO_CATALOG = PRODUCTS.map(([name, category, priceCents], i) => ({
  sku: `SKU-${String(1001 + i)}`,
  name,
  category,
  priceCents,
  currency: 'EUR',
  barcode: ean13(`376000${String(100001 + i)}`.slice(0, 12)),
}));

/** Days of cover a demo store holds after its history: inside the reports' healthy band (7 to 60 days). */
export const DEMO_COVER_DAYS = 21;

/**
 * Deliberate low stock on a healthy network: these store SKUs end their history with about 3 days of
 * cover, so the low-stock page has something to show.
 */
export const DEMO_LOW_STOCK: readonly { readonly location: string; readonly sku: string }[] = [
  { location: 'store-002', sku: 'SKU-1005' },
  { location: 'store-102', sku: 'SKU-1014' },
];
const LOW_COVER_DAYS = 3;

/** A demo store's sales rate of a product, units per day (0.25 to 1.15), varied per store and product. */
export const demoDailyRate = (locationIndex: number, skuIndex: number): number =>
  0.25 + ((skuIndex * 11 + locationIndex * 7) % 10) / 10;

/**
 * Starting stock. The warehouse holds plenty (it sells nothing). A store starts with what its
 * history will sell plus `DEMO_COVER_DAYS` of it, so it ends near its target: most SKU-locations are
 * healthy, not overstocked.
 */
export const demoStartingQty = (locationIndex: number, skuIndex: number, unitsSold: number): number => {
  const l = DEMO_LOCATIONS[locationIndex];
  if (!l || l.kind === 'warehouse') return 200 + ((skuIndex * 37) % 100);
  const low = DEMO_LOW_STOCK.some((c) => c.location === l.location && c.sku === DEMO_CATALOG[skuIndex]?.sku);
  return unitsSold + Math.ceil(demoDailyRate(locationIndex, skuIndex) * (low ? LOW_COVER_DAYS : DEMO_COVER_DAYS));
};
