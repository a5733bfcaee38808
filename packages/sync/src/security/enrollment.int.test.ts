import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import type { HubHandle } from '@stocknerve/hub';
import { openEnrollment } from '@stocknerve/hub/internal';
import { ADMIN_TOKEN, builtHubCli, hubNatsEnv, recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import type { NodeIdentity } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnrollmentFailed, enrollTerminal, type TerminalCredentials, terminalAuth } from '../enrollment/enroll.js';
import { SyncClient } from '../sync-client.js';
import { defineStore, goodsReceived, hubNodeProgress } from '../testing/int-kit.js';
import { openTestDb, tcpTransport } from '../testing/sync-fixture.js';

// Enrollment of a terminal with a one-time code, and revocation of a lost till, end to end: the
// hub's API, the terminal's enrollment client, and a real nats-server in operator mode.

const run = promisify(execFile);
const TILL: NodeIdentity = { node: 'store-1-t1', location: 'store-1', region: 'north' };

let server: NatsServerProcess;
let hub: HubHandle;
const clients: SyncClient[] = [];

const createCode = async (via: HubHandle, location: string, node: string) => {
  const response = await fetch(`${via.url}/v1/enrollments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ location, node }),
  });
  return { status: response.status, body: (await response.json()) as { code: string; region: string; error?: string } };
};

const enrollmentError = (promise: Promise<unknown>) =>
  promise.then(
    () => 'enrolled',
    (error: unknown) => (error instanceof EnrollmentFailed ? error.code : String(error)),
  );

const startWith = async (credentials: TerminalCredentials) => {
  const client = new SyncClient({
    identity: credentials.identity,
    db: await openTestDb(),
    connect: tcpTransport(server.url, terminalAuth(credentials)),
    heartbeatMs: 1000,
  });
  clients.push(client);
  await client.start();
  return client;
};

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  await recordHubFacts(hub, [defineStore('store-1'), defineStore('store-2')]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.stop();
  await hub?.close();
  await server?.dispose();
});

describe('enrollment', () => {
  it('trades a code and a public key for credentials bound to the node; the seed is never sent', async () => {
    const { status, body } = await createCode(hub, 'store-1', 'store-1-t1');
    expect(status).toBe(201);
    expect(body.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const sent: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      sent.push(String(init?.body));
      return fetch(input, init);
    };
    const credentials = await enrollTerminal({ hubUrl: hub.url, code: body.code, fetch: recordingFetch });
    expect(credentials.identity).toEqual(TILL);
    expect(sent).toHaveLength(1);
    expect(Object.keys(JSON.parse(sent[0] ?? '{}')).sort()).toEqual(['code', 'publicKey']);
    expect(sent[0]).not.toContain(credentials.seed);

    const till = await startWith(credentials);
    await till.record([goodsReceived('po-1', 'SKU-1', 3)], { correlationId: 'c-1' });
    await waitFor(() => till.status.pending === 0 && hubNodeProgress(hub, TILL.node).watermark === 1, {
      timeoutMs: 15_000,
      message: 'the enrolled till published and the hub applied',
    });
  });

  it('takes a code once', async () => {
    const { body } = await createCode(hub, 'store-2', 'store-2-t1');
    await enrollTerminal({ hubUrl: hub.url, code: body.code });
    expect(await enrollmentError(enrollTerminal({ hubUrl: hub.url, code: body.code }))).toBe('invalid-code');
  });

  it('refuses a wrong code, an expired code and a code for the reserved id hub', async () => {
    expect(await enrollmentError(enrollTerminal({ hubUrl: hub.url, code: 'ABCDE-FGHJK' }))).toBe('invalid-code');
    // Codes of a short life, from the same buckets another hub process would share.
    const shortLived = await openEnrollment({ ...hub.ctx.config, enrollmentCodeTtlMs: 1 }, hub.ctx.nc);
    const { code } = await shortLived.createCode({ node: 'store-2-t2', location: 'store-2', region: 'north' });
    await new Promise((r) => setTimeout(r, 20));
    expect(await enrollmentError(enrollTerminal({ hubUrl: hub.url, code }))).toBe('code-expired');
    const reserved = await createCode(hub, 'store-2', 'hub');
    expect(reserved.status).toBe(400);
    const unknown = await createCode(hub, 'store-9', 'store-9-t1');
    expect(unknown.status).toBe(422);
  });

  it('creates codes from the CLI as well', async () => {
    const { stdout } = await run(
      process.execPath,
      [builtHubCli(), 'enroll', 'create', '--location', 'store-2', '--node', 'store-2-t3'],
      {
        env: { ...process.env, ...hubNatsEnv(server) },
      },
    );
    const code = /: ([0-9A-Z]{5}-[0-9A-Z]{5})$/m.exec(stdout)?.[1];
    expect(code, stdout).toBeDefined();
    const credentials = await enrollTerminal({ hubUrl: hub.url, code: code ?? '' });
    expect(credentials.identity.node).toBe('store-2-t3');
  });
});

describe('revocation', () => {
  it('disconnects a connected till within a minute and refuses its key afterwards; it can enroll again', async () => {
    const first = await enrollTerminal({
      hubUrl: hub.url,
      code: (await createCode(hub, 'store-2', 'store-2-t4')).body.code,
    });
    const till = await startWith(first);
    await waitFor(() => till.status.connected, { timeoutMs: 15_000, message: 'connected' });

    const revokedAt = Date.now();
    const response = await fetch(`${hub.url}/v1/terminals/store-2-t4/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(200);
    await waitFor(() => !till.status.connected, { timeoutMs: 60_000, message: 'disconnected within a minute' });
    expect(Date.now() - revokedAt).toBeLessThan(60_000);
    await expect(connect({ servers: server.url, reconnect: false, ...terminalAuth(first) })).rejects.toThrow(
      /Authorization Violation|authentication revoked/i,
    );

    const again = await enrollTerminal({
      hubUrl: hub.url,
      code: (await createCode(hub, 'store-2', 'store-2-t4')).body.code,
    });
    const nc = await connect({ servers: server.url, reconnect: false, ...terminalAuth(again) });
    await nc.close();
    await expect(connect({ servers: server.url, reconnect: false, ...terminalAuth(first) })).rejects.toThrow(
      /Authorization Violation|authentication revoked/i,
    );
  });

  it('survives a server restart: the revocation is in the server account store', async () => {
    const creds = await enrollTerminal({
      hubUrl: hub.url,
      code: (await createCode(hub, 'store-2', 'store-2-t5')).body.code,
    });
    await fetch(`${hub.url}/v1/terminals/store-2-t5/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    await server.restart();
    await expect(connect({ servers: server.url, reconnect: false, ...terminalAuth(creds) })).rejects.toThrow(
      /Authorization Violation|authentication revoked/i,
    );
  });
});
