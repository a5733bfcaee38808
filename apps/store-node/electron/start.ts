import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// `pnpm --filter @stocknerve/store-node start`: runs the built app in Electron when Electron's
// binary is installed (Electron downloads it on first use), and otherwise serves the same built
// renderer to the browser (server/serve.ts). Nothing is compiled here: `pnpm build` did that.

/** The package directory: Electron starts the app from its package.json `main`. */
const APP_DIR = join(import.meta.dirname, '..', '..');

/** Path of the Electron binary if it is installed, without triggering its download. */
const electronBinary = (): string | null => {
  try {
    const pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const binary = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
};

const main = async () => {
  const binary = electronBinary();
  if (!binary) {
    console.log('Electron is not installed here: serving the store node to the browser instead.');
    await import('../server/serve.js');
    return;
  }
  const child = spawn(binary, [APP_DIR], { stdio: 'inherit', env: process.env });
  const stop = (signal: NodeJS.Signals) => child.kill(signal);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
