import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IPC } from '../shared/bridge.js';

describe('the sandboxed preload', () => {
  it('uses the channel names the main process and the renderer use (it cannot import them)', () => {
    const preload = readFileSync(new URL('./preload.cts', import.meta.url), 'utf8');
    for (const channel of Object.values(IPC)) expect(preload).toContain(`'${channel}'`);
  });

  it('requires nothing but electron', () => {
    const preload = readFileSync(new URL('./preload.cts', import.meta.url), 'utf8');
    const required = [...preload.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
  });
});
