/**
 * A new business reference for a document of this terminal: `<PREFIX>-<node>-<time><random>`, e.g.
 * `RET-store-001-t1-M3K9Q2AB`. Unique per terminal without coordination; valid as a domain
 * Reference (letters, digits, `-`).
 */
export const newReference = (prefix: string, node: string, now: number = Date.now()): string => {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(2)), (b) => (b % 36).toString(36)).join('');
  return `${prefix}-${node}-${`${now.toString(36)}${random}`.toUpperCase()}`;
};
