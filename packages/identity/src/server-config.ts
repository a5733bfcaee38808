import {
  appAccountJwt,
  operatorJwt,
  type Revocations,
  systemAccountJwt,
  type TrustSeeds,
  trustPublicKeys,
} from './trust.js';

export interface OperatorModeOptions {
  /** Where the server keeps account JWTs it receives at run time (revocations). */
  readonly resolverDir: string;
}

/**
 * The nats-server settings of operator mode (decentralized JWT auth), to include in its config.
 * The full resolver stores account JWTs on disk and takes updates over NATS, so revoking a user
 * reaches every server without a restart or reload; the preload seeds a new server.
 */
export const operatorModeConfig = async (
  seeds: TrustSeeds,
  options: OperatorModeOptions,
  revocations: Revocations = {},
): Promise<string> => {
  const keys = trustPublicKeys(seeds);
  return [
    '# Operator mode: every client presents a user JWT signed for the stocknerve account.',
    `operator: ${JSON.stringify(await operatorJwt(seeds))}`,
    `system_account: ${keys.system}`,
    'resolver: {',
    '  type: full',
    `  dir: ${JSON.stringify(options.resolverDir)}`,
    '  allow_delete: false',
    '  interval: "2m"',
    '}',
    'resolver_preload: {',
    `  ${keys.system}: ${JSON.stringify(await systemAccountJwt(seeds))}`,
    `  ${keys.app}: ${JSON.stringify(await appAccountJwt(seeds, revocations))}`,
    '}',
    '',
  ].join('\n');
};
