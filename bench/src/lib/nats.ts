import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { type NodeIdentity, nodeEventSubject } from '@stocknerve/protocol';
import type { TerminalCredentials } from '@stocknerve/sync';
import { type NatsServerProcess, type StartNatsServerOptions, startNatsServer } from '@stocknerve/test-harness';
import { nodeAuthOptions } from '../simulator/credentials.js';

/**
 * How a benchmark's nats-server authenticates clients: `operator` (JWTs and nkeys, each client with
 * its own user and permissions, as every deployment runs) or `none` (anonymous clients, only as the
 * reference the cost of authentication is measured against).
 */
export type AuthMode = 'operator' | 'none';

const started = new Set<NatsServerProcess>();

/** startNatsServer (operator mode unless told otherwise), remembered for {@link violationsSince}. */
export const startBenchNats = async (options: StartNatsServerOptions = {}): Promise<NatsServerProcess> => {
  const server = await startNatsServer(options);
  started.add(server);
  return server;
};

/** What the server logs when a client is refused: a permission or authorization violation, a bad credential. */
const REFUSAL = /Violation|authentication error/;

/** The lines in which `server` refused a client. */
export const refusalsOf = (server: NatsServerProcess): string[] =>
  server
    .log()
    .split('\n')
    .filter((line) => REFUSAL.test(line));

/** The refusals every server started so far has logged: compare with {@link violationsSince} later. */
export type ViolationMark = ReadonlyMap<NatsServerProcess, ReadonlySet<string>>;

export const markViolations = (): ViolationMark => new Map([...started].map((s) => [s, new Set(refusalsOf(s))]));

/** Refusals logged since `mark` by the servers started with {@link startBenchNats} (including ones started since). */
export const violationsSince = (mark: ViolationMark): string[] =>
  [...started].flatMap((s) => {
    const seen = mark.get(s);
    return refusalsOf(s).filter((line) => !seen?.has(line));
  });

/** Throws when `server` logged a refusal: every client of a benchmark must connect and act within its rights. */
export const assertNoViolations = (server: NatsServerProcess, what: string): void => {
  const lines = refusalsOf(server);
  if (lines.length > 0)
    throw new Error(
      `${what}: nats-server refused a client ${lines.length} time(s) (a wrong identity or permission):\n${lines.slice(0, 5).join('\n')}`,
    );
};

/** Options of a client of `server` as its admin (inspection, setup) or as the hub. */
export const roleOptions = (server: NatsServerProcess, role: 'admin' | 'hub' = 'admin'): ConnectionOptions => {
  const { servers, tls, ...auth } = server.clientOptions(role);
  return { servers, ...auth, ...(tls ? { tls: { caFile: tls.caFile } } : {}) };
};

/** A connection as `server`'s admin: setting up streams, inspecting them, reading what the hub wrote. */
export const adminConnect = (
  server: NatsServerProcess,
  options: Omit<ConnectionOptions, 'servers' | 'authenticator'> = {},
): Promise<NatsConnection> => connect({ ...roleOptions(server, 'admin'), ...options });

/**
 * Terminal credentials for every node, issued by the server's trust chain (one user each, with
 * exactly that node's permissions); empty when the server runs without authentication. Plain data:
 * they can be handed to a worker thread, which signs in with `terminalAuth` from @stocknerve/sync.
 */
export const issueTerminalCredentials = async (
  server: NatsServerProcess,
  nodes: readonly NodeIdentity[],
): Promise<Record<string, TerminalCredentials>> => {
  const auth = server.auth;
  if (!auth) return {};
  const out: Record<string, TerminalCredentials> = {};
  for (const n of nodes) {
    const identity = { node: n.node, location: n.location, region: n.region };
    const c = await auth.terminal(identity);
    if (!c.inboxPrefix) throw new Error(`no inbox prefix issued for terminal ${n.node}`);
    out[n.node] = { jwt: c.jwt, seed: c.seed, identity, inboxPrefix: c.inboxPrefix };
  }
  return out;
};

/** How many node connections are opened at once. */
export const CONNECT_CONCURRENCY = 8;

/**
 * One connection per store node, each signed in as that node's terminal (anonymous on a server
 * without authentication): what the benchmarks publish store events through, so that every event
 * passes the permission check its node's own connection would.
 */
export class NodeConnections {
  private readonly bySubject = new Map<string, JetStreamClient>();

  private constructor(private readonly connections: Map<string, { nc: NatsConnection; js: JetStreamClient }>) {}

  static async open(
    server: NatsServerProcess,
    nodes: readonly NodeIdentity[],
    options: Omit<ConnectionOptions, 'servers' | 'authenticator' | 'inboxPrefix'> = {},
  ): Promise<NodeConnections> {
    const credentials = await issueTerminalCredentials(server, nodes);
    const { tls } = server.clientOptions('admin');
    const connections = new Map<string, { nc: NatsConnection; js: JetStreamClient }>();
    try {
      // A few at a time, retrying: each signs the server's nonce, and dozens of handshakes at once
      // on a busy 2-core host can miss the server's authentication timeout.
      for (let i = 0; i < nodes.length; i += CONNECT_CONCURRENCY)
        await Promise.all(
          nodes.slice(i, i + CONNECT_CONCURRENCY).map(async (n) => {
            const nc = await connect({
              servers: server.url,
              name: `bench-${n.node}`,
              waitOnFirstConnect: true,
              ...(tls ? { tls: { caFile: tls.caFile } } : {}),
              ...options,
              ...nodeAuthOptions(n.node, credentials),
            });
            connections.set(n.node, { nc, js: jetstream(nc) });
          }),
        );
    } catch (error) {
      await Promise.all([...connections.values()].map((c) => c.nc.close().catch(() => undefined)));
      throw error;
    }
    const out = new NodeConnections(connections);
    for (const n of nodes) {
      const c = connections.get(n.node);
      if (c) out.bySubject.set(nodeEventSubject(n), c.js);
    }
    return out;
  }

  /** The JetStream client of the node that owns `subject` (its event subject). */
  forSubject(subject: string): JetStreamClient {
    const js = this.bySubject.get(subject);
    if (!js) throw new Error(`no node connection publishes on ${subject}`);
    return js;
  }

  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => c.nc.close().catch(() => undefined)));
  }
}
