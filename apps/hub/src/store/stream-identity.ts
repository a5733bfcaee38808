import type { SqlStore } from './sql-store.js';

/**
 * Which event stream the views were built from: JetStream's creation time of the stream, the first
 * sequence it held and how many messages had been deleted inside it. A stream deleted and created
 * again has another creation time; a purged one starts later; one purged by subject, or with
 * messages deleted one by one, has more deleted inside it.
 */
export interface StreamIdentity {
  /** `created` of the stream's info, as the server reports it (RFC 3339 with nanoseconds). */
  readonly created: string;
  /** Its first sequence; for an empty stream, the sequence its next message will get. */
  readonly firstSeq: number;
  /** Messages deleted between its first and last sequence (`num_deleted`). */
  readonly deleted: number;
}

/** The stream the views were built from; undefined before the projector first saw one. */
export const readStreamIdentity = (store: SqlStore): StreamIdentity | undefined => {
  const row = store.get<{ created: string; first_seq: number; deleted: number }>(
    "SELECT created, first_seq, deleted FROM stream_identity WHERE name = 'events'",
  );
  return row ? { created: row.created, firstSeq: row.first_seq, deleted: row.deleted } : undefined;
};

/** Records the stream the views are now built from (a rebuild, or the projector's first sight of it). */
export const recordStreamIdentity = (store: SqlStore, identity: StreamIdentity): void => {
  store.run(
    `INSERT INTO stream_identity (name, created, first_seq, deleted) VALUES ('events', ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET created = excluded.created, first_seq = excluded.first_seq, deleted = excluded.deleted`,
    identity.created,
    identity.firstSeq,
    identity.deleted,
  );
};
