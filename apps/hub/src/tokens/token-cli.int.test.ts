import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtHubCli } from '../cli-path.js';

// The built CLI, as an operator runs it (`pnpm exec tsc -b` first).

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const hubCli = async (args: string[], env: Record<string, string>): Promise<Run> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [builtHubCli(), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
};

describe('stocknerve-hub token, and the tokens a hub refuses at start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('token-cli');
  });
  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('creates (printing the token once), lists and revokes through the built CLI', async () => {
    const env = { HUB_TOKEN_FILE: join(dir, 'hub', 'tokens.json') };
    const created = await hubCli(['token', 'create', '--role', 'ecommerce', '--channel', 'web', '--name', 'Shop'], env);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^snt_[A-Za-z0-9_-]{43}$/);
    const id = /token ([0-9a-f]{10}) created/.exec(created.stderr)?.[1];
    expect(id).toBeDefined();
    expect(await readFile(env.HUB_TOKEN_FILE, 'utf8')).not.toContain(token.slice(4));

    const listed = await hubCli(['token', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+ecommerce\\s+web\\s+\\S+\\s+Shop$`, 'm'));
    expect(listed.stdout + listed.stderr).not.toContain(token);

    expect(await hubCli(['token', 'revoke', id as string], env)).toMatchObject({ code: 0 });
    expect((await hubCli(['token', 'list'], env)).stderr).toContain('no tokens in');
    expect(await hubCli(['token', 'create', '--role', 'ecommerce'], env)).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('needs at least one --channel'),
    });
  });

  it('serve exits non-zero in production, or on a non-loopback address, with a demo or short token', async () => {
    const demo = await hubCli(['serve'], {
      NODE_ENV: 'production',
      HUB_TOKENS: 'demo-admin-token-change-me:admin',
      HUB_PORT: '0',
    });
    expect(demo.code).not.toBe(0);
    expect(demo.stderr).toContain('invalid hub config: tokens[1]: a demo token is refused (NODE_ENV=production)');
    expect(demo.stderr).not.toContain('demo-admin-token');
    const exposed = await hubCli(['serve'], {
      HUB_HOST: '0.0.0.0',
      HUB_PORT: '0',
      HUB_TOKENS: `snt_${'x'.repeat(43)}:admin,short-shop-token-0123456789:ecommerce:web`,
    });
    expect(exposed.code).not.toBe(0);
    expect(exposed.stderr).toContain(
      'invalid hub config: tokens[2]: must be at least 43 characters (HUB_HOST 0.0.0.0 is not a loopback address)',
    );
    expect(exposed.stderr).not.toContain('short-shop-token');
  });
});
