import { convertPageSize } from './page-size.js';
import { dropViews } from './schema.js';
import { openSqliteStore } from './sql-store.js';

/**
 * The first step of an offline rebuild (the hub stopped): drops the views, then gives the file
 * PAGE_SIZE pages if it has others, which is cheap once the views are gone (what remains is
 * heartbeats and dead letters not yet copied to the DLQ, which the rewrite keeps). Says which page
 * size the file had and has.
 */
export const prepareOfflineRebuild = (path: string): { readonly from: number; readonly to: number } => {
  const store = openSqliteStore(path);
  try {
    dropViews(store);
  } finally {
    store.close();
  }
  return convertPageSize(path);
};
