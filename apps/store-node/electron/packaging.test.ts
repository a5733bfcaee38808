import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix } from 'node:path';
import { Ajv } from 'ajv';
import type { Configuration, TargetConfiguration } from 'electron-builder';
import { describe, expect, it } from 'vitest';
import config from '../electron-builder.config.js';
import pkg from '../package.json' with { type: 'json' };
import renderer from '../vite.config.js';

// The installers' configuration (electron-builder.config.ts), checked without building anything:
// against electron-builder's own JSON schema, and against the layout the build produces and the
// main process expects. Nothing here downloads or starts Electron.

const APP_DIR = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(APP_DIR, path), 'utf8');

/** electron-builder's schema of its configuration, from the app-builder-lib it uses. */
const schema = (): object => {
  const fromApp = createRequire(join(APP_DIR, 'package.json'));
  const fromBuilder = createRequire(fromApp.resolve('electron-builder/package.json'));
  return JSON.parse(readFileSync(fromBuilder.resolve('app-builder-lib/scheme.json'), 'utf8'));
};

const files = (config.files ?? []) as string[];
const includes = files.filter((p) => !p.startsWith('!'));
const excludes = files.filter((p) => p.startsWith('!')).map((p) => p.slice(1));

/**
 * Whether electron-builder packs `path` (relative to the app directory). Handles the two pattern
 * forms the configuration uses, `dir/**\/*` and `!**\/*.ext`; another form fails the test below.
 */
const packed = (path: string): boolean =>
  includes.some((p) => path.startsWith(p.slice(0, -'**/*'.length))) &&
  !excludes.some((p) => path.endsWith(p.slice('**/*'.length)));

/** Target names of a platform's `target` list. */
const targets = (target: unknown): string[] =>
  (target as (string | TargetConfiguration)[]).map((t) => (typeof t === 'string' ? t : t.target));

/** JSONC (tsconfig): whole-line comments only. */
const jsonc = (text: string): Record<string, unknown> => JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));

describe('electron-builder configuration', () => {
  it("matches electron-builder's JSON schema", () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema());
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('builds AppImage and deb for Linux, NSIS for Windows, into release/', () => {
    expect(config.appId).toBe('dev.stocknerve.store');
    expect(config.productName).toBe(pkg.productName);
    expect(config.directories?.output).toBe('release');
    expect(targets(config.linux?.target)).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBeTruthy();
    expect(config.linux?.maintainer).toBe(`${pkg.author.name} <${pkg.author.email}>`);
    // deb needs a homepage; the .desktop file and Electron's app_id follow package.json's desktopName.
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(config.linux?.syncDesktopName).toBe(true);
    expect(pkg.desktopName).toBe(`${config.linux?.executableName}.desktop`);
    expect(targets(config.win?.target)).toEqual(['nsis']);
    expect(config.mac).toBeUndefined();
  });

  it('installs per machine on Windows and keeps the terminal data on uninstall', () => {
    expect(config.nsis?.oneClick).toBe(false);
    expect(config.nsis?.perMachine).toBe(true);
    expect(config.nsis?.deleteAppDataOnUninstall).toBe(false);
  });

  it("takes the version from package.json and puts it in every artifact's name", () => {
    const c = config as Configuration & Record<string, unknown>;
    expect(c.buildVersion).toBeUndefined();
    expect(c.extraMetadata).toBeUndefined();
    expect(read('electron-builder.config.ts')).not.toContain(pkg.version);
    const names = [
      config.artifactName,
      config.nsis?.artifactName,
      config.appImage?.artifactName,
      config.deb?.artifactName,
    ];
    // biome-ignore lint/suspicious/noTemplateCurlyInString: electron-builder's macro.
    for (const name of names.filter((n) => n != null)) expect(name).toContain('${version}');
    expect(config.artifactName).toBeTruthy();
  });

  it('packs the built dist/ only: no sources, no maps, no node_modules, nothing to rebuild', () => {
    for (const p of includes) expect(p).toMatch(/^dist\/[a-z]+\/\*\*\/\*$/);
    for (const p of excludes) expect(p).toMatch(/^\*\*\/\*\.[a-z.]+$/);
    expect(includes.map((p) => p.split('/')[1]).sort()).toEqual(['electron', 'renderer', 'server', 'shared']);
    expect(packed('dist/electron/main.js.map')).toBe(false);
    expect(packed('dist/electron/main.d.ts')).toBe(false);
    expect(packed('electron/main.ts')).toBe(false);
    expect(packed('src/main.tsx')).toBe(false);
    expect(packed('node_modules/zod/package.json')).toBe(false);
    expect(config.npmRebuild).toBe(false);
    expect(config.nodeGypRebuild).toBe(false);
    // No production dependencies: nothing for electron-builder to copy into the app.
    expect((pkg as Record<string, unknown>).dependencies).toBeUndefined();
  });
});

describe('the packed layout', () => {
  // tsconfig.json builds electron/, server/ and shared/ from rootDir into outDir; Vite the renderer.
  const tsconfig = jsonc(read('tsconfig.json')) as {
    compilerOptions: { rootDir: string; outDir: string };
    include: string[];
  };
  const outDir = tsconfig.compilerOptions.outDir;

  /** The source tsc compiles to `built` (dist/x/y.js from x/y.ts, .cjs from .cts). */
  const sourceOf = (built: string): string => {
    const relative = posix.relative(outDir, built);
    expect(relative.startsWith('..')).toBe(false);
    return posix.join(tsconfig.compilerOptions.rootDir, relative.replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts'));
  };

  it("packs package.json's main, built from electron/main.ts", () => {
    expect(pkg.main).toBe('dist/electron/main.js');
    expect(packed(pkg.main)).toBe(true);
    const source = sourceOf(pkg.main);
    expect(existsSync(join(APP_DIR, source))).toBe(true);
    expect(tsconfig.include).toContain(source.split('/')[0]);
  });

  it('packs the preload script and the renderer that electron/main.ts loads', () => {
    const main = read('electron/main.ts');
    const paths = [...main.matchAll(/join\(HERE,\s*([^)]*)\)/g)].map((m) => {
      const segments = [...(m[1] ?? '').matchAll(/'([^']+)'/g)].map((s) => s[1] ?? '');
      return posix.join(posix.dirname(pkg.main), ...segments);
    });
    expect(paths.sort()).toEqual(['dist/electron/preload.cjs', 'dist/renderer/index.html']);
    for (const path of paths) expect(packed(path)).toBe(true);

    // The preload: a sandboxed CommonJS script compiled from electron/preload.cts.
    expect(existsSync(join(APP_DIR, sourceOf('dist/electron/preload.cjs')))).toBe(true);

    // The renderer: Vite builds index.html into build.outDir.
    expect(renderer.build?.outDir).toBe('dist/renderer');
    expect(existsSync(join(renderer.root ?? APP_DIR, 'index.html'))).toBe(true);
  });

  it('needs no node_modules at run time: the Node side imports only node:, electron and itself', () => {
    const sources = ['electron', 'server', 'shared'].flatMap((dir) =>
      readdirSync(join(APP_DIR, dir))
        .filter((f) => /\.c?ts$/.test(f) && !f.includes('.test.'))
        .map((f) => `${dir}/${f}`),
    );
    expect(sources).toContain('electron/main.ts');
    for (const source of sources) {
      const text = read(source);
      const specifiers = [
        ...text.matchAll(/^import (?!type )[^'"]*?from '([^']+)'/gm),
        ...text.matchAll(/^import '([^']+)'/gm),
        ...text.matchAll(/^import \w+ = require\('([^']+)'\)/gm),
        ...text.matchAll(/\bimport\('([^']+)'\)/g),
      ].map((m) => m[1] ?? '');
      const external = specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:') && s !== 'electron');
      expect({ source, external }).toEqual({ source, external: [] });
    }
  });

  it('leaves the installers out of git', () => {
    const gitignore = readFileSync(join(APP_DIR, '..', '..', '.gitignore'), 'utf8');
    expect(gitignore.split('\n')).toContain(`${config.directories?.output}/`);
  });
});
