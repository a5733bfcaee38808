/**
 * What a terminal can be provisioned with; each one optional. Its identity is not among them: the
 * hub binds it to the enrollment code, so the terminal learns it by enrolling.
 */
export interface Provisioning {
  /** NATS WebSocket URL, e.g. `wss://nats.example:7423`. */
  natsUrl?: string;
  /** The hub's HTTP base URL, e.g. `https://hub.example:7480`: where the terminal enrolls. */
  hubUrl?: string;
  /**
   * A one-time enrollment code. With `hubUrl` and `natsUrl` a terminal that has no credentials
   * enrolls with it at first run, without asking; an enrolled terminal ignores it.
   */
  enrollmentCode?: string;
}

/**
 * Reads provisioning from environment variables: `STOCKNERVE_NATS_URL` (WebSocket URL),
 * `STOCKNERVE_HUB_URL`, `STOCKNERVE_ENROLLMENT_CODE`. Unset ones are left out.
 * Shared by the static server (`/config.json`) and Electron's main process.
 */
export const provisioningFromEnv = (env: Readonly<Record<string, string | undefined>>): Provisioning => {
  const out: Provisioning = {};
  const pairs = [
    ['natsUrl', env.STOCKNERVE_NATS_URL],
    ['hubUrl', env.STOCKNERVE_HUB_URL],
    ['enrollmentCode', env.STOCKNERVE_ENROLLMENT_CODE],
  ] as const;
  for (const [key, value] of pairs) if (value?.trim()) out[key] = value.trim();
  return out;
};
