import {
  adminPermissions,
  HUB_INBOX_PREFIX,
  hubPermissions,
  inboxPrefixOf,
  type NatsPermissions,
  type NodeIdentity,
  terminalPermissions,
} from '@stocknerve/protocol';
import { issueUserJwt, type TrustSeeds } from './trust.js';

/** Who a user JWT is for. A third-party POS enrolls as a terminal: same shape, its own node id. */
export type RoleGrant =
  | { readonly role: 'hub'; readonly name?: string }
  | { readonly role: 'admin'; readonly name?: string }
  | { readonly role: 'terminal'; readonly identity: NodeIdentity };

/** The permissions, inbox prefix and JWT name of a role. */
export const roleProfile = (
  grant: RoleGrant,
): { readonly name: string; readonly permissions: NatsPermissions; readonly inboxPrefix: string | undefined } => {
  switch (grant.role) {
    case 'hub':
      return { name: grant.name ?? 'hub', permissions: hubPermissions(), inboxPrefix: HUB_INBOX_PREFIX };
    case 'admin':
      return { name: grant.name ?? 'admin', permissions: adminPermissions(), inboxPrefix: undefined };
    case 'terminal':
      return {
        name: `terminal ${grant.identity.node} (${grant.identity.location})`,
        permissions: terminalPermissions(grant.identity),
        inboxPrefix: inboxPrefixOf(grant.identity.node),
      };
  }
};

/** A user JWT for a public key under a role's permissions. */
export const issueRoleJwt = (
  seeds: TrustSeeds,
  userPublicKey: string,
  grant: RoleGrant,
  options: { expiresAt?: number } = {},
): Promise<string> => {
  const profile = roleProfile(grant);
  return issueUserJwt(seeds, userPublicKey, {
    name: profile.name,
    permissions: profile.permissions,
    ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
  });
};
