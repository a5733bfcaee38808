/** Settings a terminal can be provisioned with; each one optional. */
export interface Provisioning {
  /** NATS WebSocket URL, e.g. `ws://hub.example:7423`. */
  natsUrl?: string;
  location?: string;
  region?: string;
  node?: string;
}

/**
 * Reads provisioning from environment variables: `STOCKNERVE_NATS_URL` (WebSocket URL),
 * `STOCKNERVE_LOCATION`, `STOCKNERVE_REGION`, `STOCKNERVE_NODE`. Unset ones are left out.
 * Shared by the static server (`/config.json`) and Electron's main process.
 */
export const provisioningFromEnv = (env: Readonly<Record<string, string | undefined>>): Provisioning => {
  const out: Provisioning = {};
  const pairs = [
    ['natsUrl', env.STOCKNERVE_NATS_URL],
    ['location', env.STOCKNERVE_LOCATION],
    ['region', env.STOCKNERVE_REGION],
    ['node', env.STOCKNERVE_NODE],
  ] as const;
  for (const [key, value] of pairs) if (value?.trim()) out[key] = value.trim();
  return out;
};
