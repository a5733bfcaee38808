import { enrollTerminal } from '@stocknerve/sync';
import type { StocknerveBridge } from '../../shared/bridge.js';
import type { Provisioning } from '../../shared/provisioning.js';
import { EnrollmentRequest, type NodeSettings } from '../config/node-settings.js';
import type { CredentialStore } from './credential-store.js';

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

/** The first-run form's values (strings as typed; empty when unknown). */
export type EnrollmentFields = Record<keyof EnrollmentRequest, string>;

/** The first-run form prefilled with what was provisioned. */
export const enrollmentPrefill = (provisioning: Provisioning): EnrollmentFields => ({
  hubUrl: provisioning.hubUrl ?? '',
  code: provisioning.enrollmentCode ?? '',
  natsUrl: provisioning.natsUrl ?? '',
});

/** What the terminal does at start. */
export type BootPlan =
  | { readonly kind: 'run'; readonly settings: NodeSettings }
  | { readonly kind: 'enroll'; readonly request: EnrollmentRequest }
  | { readonly kind: 'ask'; readonly prefill: EnrollmentFields };

/**
 * A terminal with stored credentials runs with them: it never enrolls again by itself, since a
 * code is spent once used. Otherwise it enrolls with a complete provisioning (addresses and code),
 * or asks for what is missing, prefilled with what was provisioned.
 */
export const planBoot = (stored: NodeSettings | null, provisioning: Provisioning): BootPlan => {
  if (stored) return { kind: 'run', settings: stored };
  const prefill = enrollmentPrefill(provisioning);
  const request = EnrollmentRequest.safeParse(prefill);
  return request.success ? { kind: 'enroll', request: request.data } : { kind: 'ask', prefill };
};

/**
 * Enrolls this terminal with the hub (the key pair is made here; only its public half leaves) and
 * stores the credentials with the addresses. Rejects with the sync package's EnrollmentFailed.
 */
export const enrollAndStore = async (request: EnrollmentRequest, store: CredentialStore): Promise<NodeSettings> => {
  const credentials = await enrollTerminal({ hubUrl: request.hubUrl, code: request.code });
  const settings: NodeSettings = { natsUrl: request.natsUrl, hubUrl: request.hubUrl, credentials };
  await store.save(settings);
  return settings;
};
