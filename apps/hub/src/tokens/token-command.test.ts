import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTokenCommand } from './token-command.js';
import { hashToken, readTokenFile } from './token-store.js';

describe('stocknerve-hub token', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    dir = await makeTempDir('token-command');
    env = { HUB_TOKEN_FILE: join(dir, 'tokens.json') };
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  const run = (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = runTokenCommand(args, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { status, out, err };
  };

  it('create prints the token alone on stdout, once; list shows ids, roles, channels, names; revoke removes', () => {
    const created = run(
      'create',
      '--role',
      'ecommerce',
      '--channel',
      'web',
      '--channel',
      'marketplace-a',
      '--name',
      'Web shop',
    );
    expect(created.status).toBe(0);
    expect(created.out).toHaveLength(1);
    const token = created.out[0] as string;
    expect(token).toMatch(/^snt_[A-Za-z0-9_-]{43}$/);
    const [stored] = readTokenFile(env.HUB_TOKEN_FILE as string);
    expect(stored?.sha256).toBe(hashToken(token));
    expect(created.err.join('\n')).toContain(
      `token ${stored?.id} created (ecommerce, channels web, marketplace-a, name "Web shop")`,
    );
    expect(created.err.join('\n')).not.toContain(token);

    const listed = run('list');
    expect(listed.status).toBe(0);
    expect(listed.out[0]).toMatch(/^id\s+role\s+channels\s+created\s+name$/);
    expect(listed.out[1]).toMatch(new RegExp(`^${stored?.id}\\s+ecommerce\\s+web,marketplace-a\\s+\\S+Z\\s+Web shop$`));
    expect(listed.out.join('\n')).not.toContain(token);
    expect(listed.out.join('\n')).not.toContain(stored?.sha256);

    expect(run('revoke', stored?.id as string)).toEqual({
      status: 0,
      out: [`revoked ${stored?.id} (ecommerce, channels web, marketplace-a, name "Web shop")`],
      err: [],
    });
    expect(run('list')).toMatchObject({ status: 0, out: [], err: [`no tokens in ${env.HUB_TOKEN_FILE}`] });
    expect(run('revoke', stored?.id as string)).toMatchObject({
      status: 1,
      err: [expect.stringContaining('no token')],
    });
  });

  it('refuses what it cannot make (1) and what it does not understand (2)', () => {
    expect(run('create', '--role', 'ecommerce')).toMatchObject({
      status: 1,
      out: [],
      err: ['an ecommerce token needs at least one --channel (e.g. --channel web)'],
    });
    expect(run('create', '--role', 'owner')).toMatchObject({
      status: 2,
      err: [expect.stringMatching(/^--role must be one of/)],
    });
    expect(run('create', '--role', 'admin', '--colour', 'blue').status).toBe(2);
    expect(run('revoke').status).toBe(2);
    expect(run('rotate').status).toBe(2);
    expect(run('help')).toMatchObject({ status: 0, out: [expect.stringContaining('usage: stocknerve-hub token')] });
  });
});
