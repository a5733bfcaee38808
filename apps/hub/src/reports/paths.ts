/** Where the reports live on the hub: pages under it, JSON and CSV under `${REPORTS_API}`. */
export const REPORTS_BASE = '/reports';
export const REPORTS_API = `${REPORTS_BASE}/api`;
export const REPORTS_ASSETS = `${REPORTS_BASE}/assets`;
