/** A terminal's clock as its last check against the hub found it. */
export interface TerminalClock {
  /** This terminal's clock minus the hub's, ms: positive when it is ahead. */
  readonly skewMs: number;
  /** How far the hub lets a terminal's clock be off before it stops trusting its counts, ms. */
  readonly maxSkewMs: number;
}

/** Whether the clock is off by more than the hub accepts, either way. */
export const isClockWrong = (clock: TerminalClock): boolean => Math.abs(clock.skewMs) > clock.maxSkewMs;

/** How far off a clock is, for people: `45 s`, `12 min`, `3 h 12 min`, `2 d 4 h`. */
export const skewText = (ms: number): string => {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
};

/** "3 h 12 min ahead of" / "5 min behind": where the terminal's clock stands against the hub's. */
export const skewDirectionText = (clock: TerminalClock): string =>
  `${skewText(clock.skewMs)} ${clock.skewMs > 0 ? 'ahead of' : 'behind'}`;

/** What a till whose clock is wrong tells its cashier; counts are refused until it is fixed. */
export const clockWarningText = (clock: TerminalClock): string =>
  `This till's clock is ${skewDirectionText(clock)} the hub. Ask your manager to fix the date and time; counts are disabled until then. Sales are still recorded.`;
