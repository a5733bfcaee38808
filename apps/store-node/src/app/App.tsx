import { useEffect, useState } from 'preact/hooks';
import { bridge } from '../../shared/bridge.js';
import type { Provisioning } from '../../shared/provisioning.js';
import type { NodeSettings } from '../config/node-settings.js';
import { type StoreNode, startStoreNode } from '../node/runtime.js';
import { loadProvisioning, loadSavedSettings, resolveSettings, saveSettings } from '../node/settings.js';
import { SettingsForm } from '../settings/SettingsForm.js';
import { Shell } from './Shell.js';

type Boot =
  | { readonly phase: 'loading' }
  | { readonly phase: 'setup'; readonly provisioning: Provisioning }
  | { readonly phase: 'running'; readonly node: StoreNode }
  | { readonly phase: 'failed'; readonly error: string };

/** Boots the terminal: settings (saved, provisioned, or first-run setup), then the node. */
export const App = () => {
  const [boot, setBoot] = useState<Boot>({ phase: 'loading' });

  const start = (settings: NodeSettings) =>
    startStoreNode(settings).then(
      (node) => setBoot({ phase: 'running', node }),
      (error: unknown) => setBoot({ phase: 'failed', error: String((error as Error)?.message ?? error) }),
    );

  useEffect(() => {
    void loadProvisioning(bridge()).then((provisioning) => {
      const settings = resolveSettings(loadSavedSettings(), provisioning);
      if (settings) void start(settings);
      else setBoot({ phase: 'setup', provisioning });
    });
  }, []);

  switch (boot.phase) {
    case 'loading':
      return <p class="boot">Starting…</p>;
    case 'failed':
      return (
        <div class="boot" role="alert">
          <h1>This terminal could not start</h1>
          <p>{boot.error}</p>
        </div>
      );
    case 'setup':
      return (
        <main class="first-run">
          <h1>Set up this terminal</h1>
          <p class="muted">
            Once set, the terminal works offline; it syncs with the hub whenever it can reach it. These settings are
            shown again under Settings (Alt+0).
          </p>
          <SettingsForm
            initial={boot.provisioning}
            submitLabel="Start"
            onSave={(settings) => {
              saveSettings(settings);
              setBoot({ phase: 'loading' });
              void start(settings);
            }}
          />
        </main>
      );
    case 'running':
      return <Shell node={boot.node} />;
  }
};
