import type { ConnectionOptions } from '@nats-io/nats-core';
import { type TerminalCredentials, terminalAuth } from '@stocknerve/sync';

/**
 * Each simulated node's terminal credentials (its own NATS user: JWT, seed and inbox prefix, as an
 * enrolled terminal keeps them), by node id. Plain data, so the parent issues them and hands them to
 * the worker threads, where each node signs in with them.
 */
export type FleetCredentials = Readonly<Record<string, TerminalCredentials>>;

/**
 * How a simulated node signs in: as its own terminal when `credentials` is given (operator mode),
 * anonymously when it is absent or empty (a server without authentication). A map without this
 * node is a bug of the benchmark, not a reason to connect as someone else.
 */
export const nodeAuthOptions = (
  node: string,
  credentials: FleetCredentials | undefined,
): Partial<ConnectionOptions> => {
  if (!credentials || Object.keys(credentials).length === 0) return {};
  const c = credentials[node];
  if (!c) throw new Error(`no terminal credentials for node ${node}`);
  return terminalAuth(c);
};

/** The credentials of `nodes` only: a worker gets the seeds of the nodes it runs, no others. */
export const credentialsOf = (
  credentials: FleetCredentials | undefined,
  nodes: readonly { readonly node: string }[],
): FleetCredentials | undefined => {
  if (!credentials || Object.keys(credentials).length === 0) return credentials;
  const out: Record<string, TerminalCredentials> = {};
  for (const n of nodes) {
    const c = credentials[n.node];
    if (c) out[n.node] = c;
  }
  return out;
};
