import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Creates a fresh, empty directory under the OS temp dir.
 *
 * @param prefix readable start of the directory name, e.g. `'stocknerve-hub'`; a dash and a random
 *   suffix are appended.
 * @returns the absolute path of the new directory.
 */
export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${prefix}-`));
}

/**
 * Removes a directory made by {@link makeTempDir} with everything in it. Missing directories are
 * ignored so cleanup hooks can run twice.
 *
 * @param dir absolute path of the directory.
 */
export async function removeTempDir(dir: string): Promise<void> {
  // Retries cover files a just-killed process (e.g. nats-server) is still closing.
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}
