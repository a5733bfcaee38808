import type { KvBucketName } from './names.js';

/**
 * KV keys allow `[-/_=.A-Za-z0-9]`, and dots separate tokens; business ids may contain `:` or `.`.
 * Every other character is written `=XX` (hex), so a key is always valid, one token, and reversible
 * for ASCII ids (every business id is ASCII: the domain's id patterns say so).
 */
export const kvToken = (id: string): string =>
  id.replace(/[^-_A-Za-z0-9]/g, (c) => `=${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** Key prefix of network-wide reservations: `_` cannot start a location id, so it never collides. */
export const NETWORK_KEY = '_network';

/** The key of each KV value (docs/wire-protocol.md, section 13). */
export const kvKeys = {
  stock: (location: string, sku: string) => `${location}.${kvToken(sku)}`,
  pickup: (location: string, pickupId: string) => `${location}.${kvToken(pickupId)}`,
  /** A reservation at a location, or network-wide (`location` null). */
  reservation: (location: string | null, reservationId: string) =>
    `${location ?? NETWORK_KEY}.${kvToken(reservationId)}`,
  catalog: (sku: string) => kvToken(sku),
  location: (location: string) => location,
  watermark: (node: string) => node,
} as const;

/** Watch filter of one location's keys in a location-keyed bucket (stock, pickups, reservations). */
export const locationKeys = (location: string) => `${location}.>`;

/** Watch filter of every key of a bucket. */
export const ALL_KEYS = '>';

/** The stream that holds a KV bucket (direct reads of a key's last value go to it). */
export const kvStreamOf = (bucket: KvBucketName) => `KV_${bucket}`;

/** The subject of one key of a bucket: a put is a JetStream publish to it. */
export const kvSubjectOf = (bucket: KvBucketName, key: string) => `$KV.${bucket}.${key}`;
