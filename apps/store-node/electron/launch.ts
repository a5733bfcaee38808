import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// `pnpm --filter @stocknerve/store-node start:electron`: builds the renderer and the main/preload
// scripts and runs Electron when its binary is installed. Electron 45 downloads its binary on
// first use, which machines without internet access cannot do: then the same renderer is served
// to the browser instead (src/server/serve.ts).

const APP_DIR = join(import.meta.dirname, '..');
const OUT_DIR = join(APP_DIR, 'dist-electron');

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

const buildAll = async () => {
  const { build } = await import('vite');
  await build({ root: APP_DIR, configFile: join(APP_DIR, 'vite.config.ts'), logLevel: 'warn' });
  const script = (entry: string, format: 'es' | 'cjs', fileName: string) =>
    build({
      root: APP_DIR,
      configFile: false,
      logLevel: 'warn',
      build: {
        ssr: join(APP_DIR, 'electron', entry),
        outDir: OUT_DIR,
        emptyOutDir: false,
        target: 'node22',
        rolldownOptions: { external: ['electron'], output: { format, entryFileNames: fileName } },
      },
    });
  await script('main.ts', 'es', 'main.js');
  await script('preload.ts', 'cjs', 'preload.cjs');
};

const main = async () => {
  const binary = electronBinary();
  if (!binary) {
    console.log('Electron binary not installed (it cannot be downloaded here): serving the store node to the browser.');
    await import('../src/server/serve.js');
    return;
  }
  await buildAll();
  const child = spawn(binary, [join(OUT_DIR, 'main.js')], { stdio: 'inherit', env: process.env });
  child.on('exit', (code) => process.exit(code ?? 0));
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
