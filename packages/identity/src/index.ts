export { credsAuth, jwtAuth, type NatsAuthOptions } from './authenticators.js';
export { type ClaimsUpdateResult, pushAccountJwt } from './claims.js';
export { issueRoleJwt, type RoleGrant, roleProfile } from './roles.js';
export { type OperatorModeOptions, operatorModeConfig } from './server-config.js';
export {
  APP_ACCOUNT_NAME,
  appAccountJwt,
  createTrustSeeds,
  createUserKey,
  credsFile,
  issueUserJwt,
  isUserPublicKey,
  operatorJwt,
  type Revocations,
  SYSTEM_ACCOUNT_NAME,
  systemAccountJwt,
  systemUserCreds,
  type TrustSeeds,
  trustPublicKeys,
  type UserGrant,
} from './trust.js';
export {
  type InitTrustDirOptions,
  inboxPrefixOfRole,
  initTrustDir,
  loadTrustSeeds,
  roleCreds,
  TRUST_FILES,
} from './trust-dir.js';
