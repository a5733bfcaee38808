import type { StocknerveBridge } from '../../shared/bridge.js';
import type { Provisioning } from '../../shared/provisioning.js';
import { NodeSettings } from '../config/node-settings.js';

const STORAGE_KEY = 'stocknerve.settings';

/** Settings saved on this terminal (null at first run, or when unreadable). */
export const loadSavedSettings = (): NodeSettings | null => {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = NodeSettings.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
};

export const saveSettings = (settings: NodeSettings): void => {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
};

/**
 * The provisioning document: from Electron's main process when there is one, else `config.json`
 * beside the page (written by the static server from its environment). Empty when neither answers.
 */
export const loadProvisioning = async (bridge: StocknerveBridge | undefined): Promise<Provisioning> => {
  try {
    if (bridge) return await bridge.provisioning();
    const response = await fetch('config.json', { cache: 'no-store' });
    if (!response.ok) return {};
    const body = (await response.json()) as unknown;
    return typeof body === 'object' && body !== null ? (body as Provisioning) : {};
  } catch {
    return {};
  }
};

/**
 * What this terminal runs with: settings saved here win (an operator changed them in the settings
 * view); otherwise a complete provisioning document is adopted and saved. Null: first-run setup.
 */
export const resolveSettings = (saved: NodeSettings | null, provisioning: Provisioning): NodeSettings | null => {
  if (saved) return saved;
  const parsed = NodeSettings.safeParse(provisioning);
  if (!parsed.success) return null;
  saveSettings(parsed.data);
  return parsed.data;
};
