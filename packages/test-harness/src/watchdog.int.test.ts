import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

// The built module: a plain Node parent cannot import TypeScript.
const WATCHDOG = fileURLToPath(new URL('../dist/watchdog.js', import.meta.url));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('watchChild', () => {
  it('kills the child and removes its directories when the parent is SIGKILLed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocknerve-watchdog-'));
    // A parent that starts a long-lived child under the watchdog, says the child's pid, and waits.
    const parentScript = `
      const { spawn } = await import('node:child_process');
      const { watchChild } = await import(${JSON.stringify(WATCHDOG)});
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      watchChild(child, [${JSON.stringify(dir)}]);
      console.log(child.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', parentScript], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const childPid = await new Promise<number>((resolve, reject) => {
      parent.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
    });
    expect(alive(childPid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !alive(childPid) && !existsSync(dir), { timeoutMs: 10_000 });
  });
});
