// What the local-commit benchmark's page (bench/local-commit/entry.ts) exposes, for both sides.

export interface LocalCommitSamples {
  /** ms per SyncClient.record (one sale), in order. */
  readonly record: number[];
  /** ms per raw Dexie add of the same document. */
  readonly raw: number[];
}

declare global {
  interface Window {
    runLocalCommit(samples: number, warmup: number): Promise<LocalCommitSamples>;
  }
}
