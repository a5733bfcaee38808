import { readFile } from 'node:fs/promises';
import { generateTlsFiles, makeTempDir, removeTempDir, type TlsFiles } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuedByPrivateCa } from './private-ca.js';

describe('a private CA for wss:// and the hub', () => {
  let dir: string;
  let other: string;
  let tls: TlsFiles;
  let otherTls: TlsFiles;
  let cert: string;

  beforeAll(async () => {
    dir = await makeTempDir('stocknerve-ca');
    other = await makeTempDir('stocknerve-ca');
    [tls, otherTls] = await Promise.all([generateTlsFiles(dir), generateTlsFiles(other)]);
    cert = await readFile(tls.certFile, 'utf8');
  });
  afterAll(async () => {
    await removeTempDir(dir);
    await removeTempDir(other);
  });

  it('trusts a certificate the CA issued for the host it names, while it is valid', () => {
    expect(issuedByPrivateCa(tls.ca, cert, '127.0.0.1')).toBe(true);
    expect(issuedByPrivateCa(tls.ca, cert, 'localhost')).toBe(true);
    expect(issuedByPrivateCa(tls.ca, cert, 'nats.example.com')).toBe(false);
    expect(issuedByPrivateCa(tls.ca, cert, '127.0.0.1', Date.now() + 10 * 86_400_000)).toBe(false);
  });

  it("refuses another CA's certificate and text that is no certificate", () => {
    expect(issuedByPrivateCa(otherTls.ca, cert, '127.0.0.1')).toBe(false);
    expect(issuedByPrivateCa(tls.ca, 'not a certificate', '127.0.0.1')).toBe(false);
    expect(issuedByPrivateCa(tls.ca, tls.ca, '127.0.0.1')).toBe(false);
  });
});
