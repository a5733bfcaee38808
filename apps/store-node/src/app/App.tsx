import { EnrollmentFailed } from '@stocknerve/sync';
import { useEffect, useState } from 'preact/hooks';
import { bridge } from '../../shared/bridge.js';
import type { NodeSettings } from '../config/node-settings.js';
import { CredentialsUnreadable, terminalCredentialStore } from '../node/credential-store.js';
import { type StoreNode, startStoreNode } from '../node/runtime.js';
import {
  type EnrollmentFields,
  enrollAndStore,
  enrollmentPrefill,
  loadProvisioning,
  planBoot,
} from '../node/settings.js';
import { EnrollmentForm } from '../settings/EnrollmentForm.js';
import { enrollmentErrorText } from '../settings/enrollment-errors.js';
import { Shell } from './Shell.js';

type Boot =
  | { readonly phase: 'loading'; readonly text: string }
  | { readonly phase: 'setup'; readonly prefill: EnrollmentFields; readonly failure: string | null }
  | { readonly phase: 'running'; readonly node: StoreNode }
  | { readonly phase: 'failed'; readonly error: string };

/**
 * Boots the terminal: with its stored credentials when it has some; otherwise it enrolls, with the
 * provisioned code or with the one the first-run screen asks for. Then it starts the node.
 */
export const App = () => {
  const [boot, setBoot] = useState<Boot>({ phase: 'loading', text: 'Starting…' });

  const start = (settings: NodeSettings) => {
    setBoot({ phase: 'loading', text: 'Starting…' });
    return startStoreNode(settings).then(
      (node) => setBoot({ phase: 'running', node }),
      (error: unknown) => setBoot({ phase: 'failed', error: String((error as Error)?.message ?? error) }),
    );
  };

  useEffect(() => {
    const store = terminalCredentialStore(bridge());
    const run = async () => {
      const provisioning = await loadProvisioning(bridge());
      let stored: NodeSettings | null;
      try {
        stored = (await store.load())?.settings ?? null;
      } catch (error) {
        if (!(error instanceof CredentialsUnreadable)) throw error;
        const failure = `The credentials stored on this till cannot be used (${error.message}). Enroll it again with a new code from your manager.`;
        setBoot({ phase: 'setup', prefill: enrollmentPrefill(provisioning), failure });
        return;
      }
      const plan = planBoot(stored, provisioning);
      if (plan.kind === 'run') return start(plan.settings);
      if (plan.kind === 'ask') return setBoot({ phase: 'setup', prefill: plan.prefill, failure: null });
      setBoot({ phase: 'loading', text: 'Enrolling this till with the hub…' });
      try {
        await start(await enrollAndStore(plan.request, store));
      } catch (error) {
        // A hub that was not reachable yet may take the same code later; a refused code may not.
        const retry = error instanceof EnrollmentFailed && error.code === 'unreachable';
        setBoot({
          phase: 'setup',
          prefill: { ...plan.request, code: retry ? plan.request.code : '' },
          failure: enrollmentErrorText(error, plan.request.hubUrl),
        });
      }
    };
    run().catch((error: unknown) => setBoot({ phase: 'failed', error: String((error as Error)?.message ?? error) }));
  }, []);

  switch (boot.phase) {
    case 'loading':
      return <p class="boot">{boot.text}</p>;
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
          <h1>Enroll this till</h1>
          <p class="muted">
            Enter the one-time enrollment code your manager created for this till at the hub. The hub tells the till who
            it is (its store and terminal id). Once enrolled, the till works offline and syncs with the hub whenever it
            can reach it.
          </p>
          <EnrollmentForm
            idPrefix="enroll"
            initial={boot.prefill}
            failure={boot.failure}
            submitLabel="Enroll"
            onEnrolled={(settings) => void start(settings)}
          />
        </main>
      );
    case 'running':
      return <Shell node={boot.node} />;
  }
};
