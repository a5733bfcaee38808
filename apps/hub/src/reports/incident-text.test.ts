import { describe, expect, it } from 'vitest';
import { oversellText, pickupRejectedText, rejectReasonText, shortCustomerName } from './incident-text.js';

describe('incidents in words', () => {
  it('a rejected pickup names the order, the customer, the store and what is missing', () => {
    expect(
      pickupRejectedText({
        order: { kind: 'pickup', qty: 2, orderRef: '1234', customerName: 'Jane Doe' },
        storeName: 'Store 001',
        missing: [{ product: 'SKU-1001', qty: 2 }],
        reason: rejectReasonText('item-not-found', null),
      }),
    ).toBe(
      'Pickup order 1234 for Jane D. at Store 001 cannot be filled: 2 units of SKU-1001 missing (not found on the shelf).',
    );
  });

  it('an oversell names the store, the product, the orders it hurts and the nearest cover', () => {
    expect(
      oversellText({
        storeName: 'Arras',
        product: 'SKU-1 (Tent)',
        shortfall: 1,
        affected: [{ kind: 'reservation', qty: 2, channel: 'web' }],
        cover: { name: 'Lille Centre', available: 5, distanceKm: 3.21 },
      }),
    ).toBe(
      'Arras is 1 unit of SKU-1 (Tent) short of what it promised: a web reservation (2 units). Lille Centre has 5 available, 3.2 km away.',
    );
  });

  it('short names and reasons', () => {
    expect(shortCustomerName('Chloé  de la Robert')).toBe('Chloé R.');
    expect(shortCustomerName('Cher')).toBe('Cher');
    expect(rejectReasonText('customer-no-show', 'called twice')).toBe('the customer did not come: called twice');
    expect(rejectReasonText(null, null)).toBeNull();
  });
});
