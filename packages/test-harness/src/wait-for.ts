/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds. Default 10,000. */
  timeoutMs?: number;
  /** Milliseconds between two checks. Default 50. */
  intervalMs?: number;
  /** Text for the timeout error, e.g. what was being waited for. */
  message?: string;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Polls `predicate` until it returns a truthy value, and returns that value.
 *
 * A predicate that throws counts as "not yet"; its last error is attached to the timeout error as
 * `cause` so a failing test shows why the condition never held.
 *
 * @param predicate sync or async check; called at once, then every `intervalMs`.
 * @param options timeout (default 10 s), interval (default 50 ms) and message.
 * @returns the first truthy value the predicate returned.
 * @throws Error after `timeoutMs` without a truthy value.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, message = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as Truthy<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`waitFor: timed out after ${timeoutMs} ms waiting for ${message}${detail}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
