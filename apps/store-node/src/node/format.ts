/** Money from minor units, e.g. `€89.99`. */
export const money = (cents: number, currency = 'EUR'): string =>
  new Intl.NumberFormat('en-IE', { style: 'currency', currency }).format(cents / 100);

/** A duration for people: `now`, `12 s`, `4 min`, `3 h`, `2 d`. */
export const ageText = (ms: number | null | undefined): string => {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 2) return 'now';
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
};

/** How long ago, for people: `just now`, `12 s ago`, `4 min ago`; `—` when unknown. */
export const agoText = (ms: number | null | undefined): string => {
  const age = ageText(ms);
  return age === 'now' ? 'just now' : age === '—' ? age : `${age} ago`;
};

/** Age of an ISO timestamp relative to `now` (ms), or null. */
export const ageOf = (iso: string | null | undefined, now: number): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : now - t;
};

export const clockTime = (ms: number): string =>
  new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
