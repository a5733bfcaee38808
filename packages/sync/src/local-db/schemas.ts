import type { RxJsonSchema } from 'rxdb';

/**
 * One event of this node's log: the local commit point of every sale, return, count... Written once
 * and never changed: whether JetStream holds it is the outbox's state (`outbox-state.ts`), one
 * document for the whole log.
 */
export interface EventDoc {
  /** Event id (UUIDv7): also the JetStream `Nats-Msg-Id`. */
  id: string;
  /** Node sequence number: gap-free from 1, never reused. */
  seq: number;
  type: string;
  /** The stored event, exactly as published. */
  event: Record<string, unknown>;
  /** When it was recorded locally (ms). */
  recordedAt: number;
  /** Events of this node that came back from the hub during a restore are marked here. */
  origin: 'local' | 'restored';
}

/**
 * Version 1 dropped each event's ack fields (`ackState`, `streamSeq`, `ackedAt`) for the outbox's
 * state; `local-db.ts` migrates a version-0 log.
 */
export const eventSchema: RxJsonSchema<EventDoc> = {
  version: 1,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 40 },
    seq: { type: 'number', minimum: 1, maximum: 1e15, multipleOf: 1 },
    type: { type: 'string', maxLength: 64 },
    event: { type: 'object' },
    recordedAt: { type: 'number', minimum: 0, maximum: 1e15, multipleOf: 1 },
    origin: { type: 'string', enum: ['local', 'restored'], maxLength: 8 },
  },
  required: ['id', 'seq', 'type', 'event', 'recordedAt', 'origin'],
  indexes: ['seq'],
};

/** An event document as version 0 of the schema stored it (each with its own ack state). */
export interface EventDocV0 extends EventDoc {
  ackState: 'pending' | 'acked';
  streamSeq: number;
  ackedAt: number;
}

/** A value pulled from one of the hub's KV buckets, kept so it is there offline. */
export interface ProjectionDoc {
  /** `<bucket>:<kv key>` */
  id: string;
  bucket: string;
  key: string;
  value: Record<string, unknown>;
  /** KV revision (stream sequence of the KV entry). */
  revision: number;
  /** When the hub computed the value (ISO), from the value itself. */
  asOf: string;
  /** When this node received it (ms). */
  pulledAt: number;
}

export const projectionSchema: RxJsonSchema<ProjectionDoc> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 300 },
    bucket: { type: 'string', maxLength: 40 },
    key: { type: 'string', maxLength: 256 },
    value: { type: 'object' },
    revision: { type: 'number', minimum: 0, maximum: 1e15, multipleOf: 1 },
    asOf: { type: 'string', maxLength: 40 },
    pulledAt: { type: 'number', minimum: 0, maximum: 1e15, multipleOf: 1 },
  },
  required: ['id', 'bucket', 'key', 'value', 'revision', 'asOf', 'pulledAt'],
  indexes: ['bucket'],
};

/** Small documents: node settings, the hub's watermark for this node, last pull per bucket. */
export interface MetaDoc {
  key: string;
  value: Record<string, unknown>;
}

export const metaSchema: RxJsonSchema<MetaDoc> = {
  version: 0,
  primaryKey: 'key',
  type: 'object',
  properties: {
    key: { type: 'string', maxLength: 100 },
    value: { type: 'object' },
  },
  required: ['key', 'value'],
};
