import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, applied, defineLocations, received, startApiFixture, storeNode } from '../api-test-kit.js';

// A storefront that sends a SKU the network has never heard of learns which one, not "available 0".

interface Rejection {
  error: string;
  message: string;
  details: unknown;
}

describe('POST /v1/pickups with an unknown SKU', () => {
  let f: ApiFixture;

  beforeAll(async () => {
    f = await startApiFixture();
    await defineLocations(f.api, [{ location: 'store-001', region: 'north', kind: 'store', name: 'Store 1' }]);
    const till = storeNode(f.js, { location: 'store-001', region: 'north', node: 'store-001-t1' });
    await applied(f, await till.publish(received('PO-1', [{ sku: 'SKU-1001', qty: 4 }])));
  });
  afterAll(async () => {
    await f?.close();
  });

  it('answers 422 UnknownSku naming the SKU, and still 409 InsufficientStock for a known one', async () => {
    const order = { channel: 'web', location: 'store-001', orderRef: 'WEB-1' };
    const unknown = await f.api.post<Rejection>(
      '/v1/pickups',
      {
        ...order,
        lines: [
          { sku: 'SKU-1001', qty: 1 },
          { sku: 'SKU-X', qty: 1 },
        ],
      },
      { as: 'ecommerce' },
    );
    expect(unknown.status).toBe(422);
    expect(unknown.body).toEqual({
      error: 'UnknownSku',
      message: 'SKU-X is not in the catalog',
      details: { skus: ['SKU-X'] },
    });
    const short = await f.api.post<Rejection>(
      '/v1/pickups',
      { ...order, orderRef: 'WEB-2', lines: [{ sku: 'SKU-1001', qty: 5 }] },
      { as: 'ecommerce' },
    );
    expect(short.status).toBe(409);
    expect(short.body.error).toBe('InsufficientStock');
  });
});
