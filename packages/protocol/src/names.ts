/** The streams, the projector's durable consumer and the KV buckets (docs/wire-protocol.md). */
export const NAMES = {
  eventStream: 'INV_EVENTS',
  deadLetterStream: 'INV_DLQ',
  projectorConsumer: 'hub-projector',
  stockBucket: 'inv_stock',
  pickupsBucket: 'inv_pickups',
  reservationsBucket: 'inv_reservations',
  catalogBucket: 'inv_catalog',
  locationsBucket: 'inv_locations',
  watermarksBucket: 'inv_watermarks',
  /** Hub-only: pending terminal enrollment codes, by hash. */
  enrollmentsBucket: 'inv_enrollments',
  /** Hub-only: the leader lease of the hub instances and each instance's status. */
  hubClusterBucket: 'inv_hub_cluster',
  /** Hub-only: enrolled terminals and their public keys. */
  terminalsBucket: 'inv_terminals',
} as const;

/** The KV buckets the hub publishes and nodes pull, by short name. */
export const KV_BUCKETS = {
  stock: NAMES.stockBucket,
  pickups: NAMES.pickupsBucket,
  reservations: NAMES.reservationsBucket,
  catalog: NAMES.catalogBucket,
  locations: NAMES.locationsBucket,
  watermarks: NAMES.watermarksBucket,
} as const;

/** Short name of a KV bucket: `stock`, `pickups`... */
export type KvBucket = keyof typeof KV_BUCKETS;
/** Full name of a KV bucket: `inv_stock`, `inv_pickups`... */
export type KvBucketName = (typeof KV_BUCKETS)[KvBucket];
