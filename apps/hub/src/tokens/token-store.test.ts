import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createToken, hashToken, listTokens, readTokenFile, revokeToken } from './token-store.js';

describe('token file', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await makeTempDir('tokens');
    file = join(dir, 'hub', 'tokens.json');
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('makes a 32-byte random token and keeps only its SHA-256, in a file only its owner reads', () => {
    const created = createToken(file, { role: 'ecommerce', channels: ['web', 'marketplace-a'], name: 'Shop' });
    if (!created.ok) throw new Error(created.message);
    expect(created.token).toMatch(/^snt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.token.slice(4), 'base64url')).toHaveLength(32);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(created.token);
    expect(text).not.toContain(created.token.slice(4));
    expect(readTokenFile(file)).toEqual([
      {
        id: created.info.id,
        name: 'Shop',
        role: 'ecommerce',
        channels: ['web', 'marketplace-a'],
        sha256: hashToken(created.token),
        createdAt: created.info.createdAt,
      },
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Written by rename: no temporary file is left beside it.
    expect(readdirSync(join(dir, 'hub'))).toEqual(['tokens.json']);
  });

  it('lists without hashes, revokes by id, and says so for an unknown id', () => {
    const a = createToken(file, { role: 'admin', name: 'ops' }, new Date('2030-01-02T03:04:05Z'));
    const b = createToken(file, { role: 'manager' });
    if (!a.ok || !b.ok) throw new Error('not created');
    expect(a.token).not.toBe(b.token);
    const listed = listTokens(file);
    expect(listed).toEqual([
      { id: a.info.id, name: 'ops', role: 'admin', channels: [], createdAt: '2030-01-02T03:04:05.000Z' },
      { id: b.info.id, name: '', role: 'manager', channels: [], createdAt: expect.any(String) },
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/sha256|[0-9a-f]{64}/);
    expect(revokeToken(file, a.info.id)).toMatchObject({ ok: true, info: { id: a.info.id } });
    expect(listTokens(file).map((t) => t.id)).toEqual([b.info.id]);
    expect(revokeToken(file, a.info.id)).toEqual({ ok: false, message: `no token ${a.info.id} in ${file}` });
  });

  it('refuses an ecommerce token without channels, channels on other roles, bad channels and names', () => {
    expect(createToken(file, { role: 'ecommerce' })).toEqual({
      ok: false,
      message: 'an ecommerce token needs at least one --channel (e.g. --channel web)',
    });
    expect(createToken(file, { role: 'manager', channels: ['web'] })).toMatchObject({
      ok: false,
      message: expect.stringContaining('--channel limits ecommerce tokens only'),
    });
    expect(createToken(file, { role: 'ecommerce', channels: ['Web Shop'] })).toMatchObject({
      ok: false,
      message: expect.stringContaining('--channel "Web Shop": channel must be'),
    });
    expect(createToken(file, { role: 'admin', name: 'evil\u001b[2Jname' })).toMatchObject({
      ok: false,
      message: '--name must not contain control characters',
    });
    expect(existsSync(file)).toBe(false);
  });

  it('reads no tokens from a missing file, and names the file it cannot parse', () => {
    expect(readTokenFile(file)).toEqual([]);
    writeFileSync(join(dir, 'broken.json'), '{"version":1,"tokens":[{"id":"x"}]}');
    expect(() => readTokenFile(join(dir, 'broken.json'))).toThrow(/^token file .*broken\.json: tokens\.0\.id/);
    writeFileSync(join(dir, 'text.json'), 'not json');
    expect(() => readTokenFile(join(dir, 'text.json'))).toThrow(/text\.json: not JSON/);
  });
});
