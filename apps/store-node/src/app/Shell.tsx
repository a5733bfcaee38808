import { useEffect, useRef, useState } from 'preact/hooks';
import { bridge } from '../../shared/bridge.js';
import type { StoreNode } from '../node/runtime.js';
import { useOpenPickupCount } from '../pickups/use-store-stock.js';
import { ClockWarning } from '../sync/ClockWarning.js';
import { NodeContext, ScreenContext, useValue } from '../ui/hooks.js';
import { useScanCapture } from '../ui/scan-capture.js';
import { AccessBanner } from './AccessBanner.js';
import { SyncBadge } from './SyncBadge.js';
import { SCREEN_COMPONENTS } from './screens.js';
import { type ScreenId, screenForKey, shortcutOf, TABS } from './tabs.js';

/**
 * The terminal's frame: header with the always-visible sync badge, tabs with function-key
 * shortcuts, and the screens. A screen stays mounted once opened, so a sale in progress survives a
 * quick stock lookup.
 */
export const Shell = ({ node }: { node: StoreNode }) => {
  const [current, setCurrent] = useState<ScreenId>('sell');
  const [visited, setVisited] = useState<ReadonlySet<ScreenId>>(new Set(['sell']));
  const tabRefs = useRef<Partial<Record<ScreenId, HTMLButtonElement | null>>>({});
  const locations = useValue(node.data.locations$);
  const storeName = locations.get(node.identity.location)?.name;
  const openPickups = useOpenPickupCount(node);
  useScanCapture();

  const show = (id: ScreenId) => {
    setCurrent(id);
    setVisited((v) => (v.has(id) ? v : new Set([...v, id])));
  };

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      const id = screenForKey(e);
      if (!id) return;
      e.preventDefault();
      show(id);
    };
    window.addEventListener('keydown', onKeyDown);
    const off = bridge()?.onOpenSyncPanel(() => show('sync'));
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      off?.();
    };
  }, []);

  const onTabKey = (e: KeyboardEvent, index: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length];
    if (next) tabRefs.current[next.id]?.focus();
  };

  return (
    <NodeContext.Provider value={node}>
      <div class="shell">
        <header class="topbar">
          <div class="brand">
            <span class="logo" aria-hidden="true">
              ◆
            </span>
            <span>Stocknerve</span>
            <span class="store" data-testid="store-name">
              {storeName ?? node.identity.location} · {node.identity.node}
            </span>
          </div>
          <SyncBadge onOpen={() => show('sync')} />
        </header>
        <AccessBanner onEnrollAgain={() => show('settings')} />
        <div class="tabs" role="tablist" aria-label="Screens">
          {TABS.map((t, i) => {
            const shortcut = shortcutOf(t);
            return (
              <button
                key={t.id}
                ref={(el) => {
                  tabRefs.current[t.id] = el;
                }}
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                aria-selected={current === t.id}
                aria-controls={`panel-${t.id}`}
                aria-keyshortcuts={shortcut.aria}
                tabIndex={current === t.id ? 0 : -1}
                class={current === t.id ? 'tab active' : 'tab'}
                onClick={() => show(t.id)}
                onKeyDown={(e) => onTabKey(e, i)}
              >
                {t.label}
                {t.id === 'pickups' && openPickups > 0 ? ` (${openPickups})` : ''} <kbd>{shortcut.text}</kbd>
              </button>
            );
          })}
        </div>
        <ClockWarning />
        <main class="panels">
          {TABS.filter((t) => visited.has(t.id)).map((t) => {
            const Screen = SCREEN_COMPONENTS[t.id];
            return (
              <div
                key={t.id}
                id={`panel-${t.id}`}
                role="tabpanel"
                aria-labelledby={`tab-${t.id}`}
                hidden={current !== t.id}
                data-screen={t.id}
              >
                <ScreenContext.Provider value={{ active: current === t.id }}>
                  <Screen />
                </ScreenContext.Provider>
              </div>
            );
          })}
        </main>
      </div>
    </NodeContext.Provider>
  );
};
