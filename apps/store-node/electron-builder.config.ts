import type { Configuration } from 'electron-builder';
import pkg from './package.json' with { type: 'json' };

// Installers of the store terminal: `pnpm dist` (Linux AppImage and deb, Windows NSIS) into
// release/. They pack the built dist/ only: Electron's main and preload scripts, the browser-mode
// server, the shared modules and the Vite-built renderer. Every package is a devDependency (the
// renderer is bundled, the main process imports only node: and electron), so no node_modules are
// packed and nothing is compiled or rebuilt. The version is package.json's `version`, which
// electron-builder reads itself, as does Electron's app.getVersion().

/** File names without spaces: `stocknerve-store-<version>-<arch>.<ext>`. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: electron-builder's macros, expanded by it.
const ARTIFACT = 'stocknerve-store-${version}-${arch}.${ext}';

const config: Configuration = {
  appId: 'dev.stocknerve.store',
  productName: pkg.productName,
  copyright: `Copyright © ${pkg.author.name}`,
  directories: { output: 'release' },
  files: [
    'dist/electron/**/*',
    'dist/server/**/*',
    'dist/shared/**/*',
    'dist/renderer/**/*',
    '!**/*.map',
    '!**/*.d.ts',
    '!**/*.d.cts',
  ],
  asar: true,
  // No production dependencies and no native modules: nothing for @electron/rebuild or node-gyp.
  npmRebuild: false,
  nodeGypRebuild: false,
  artifactName: ARTIFACT,
  linux: {
    target: [
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ],
    executableName: 'stocknerve-store',
    // stocknerve-store.desktop, named after package.json's desktopName, which Electron uses as the
    // window's app_id / WM_CLASS: the desktop links the running window to its launcher.
    syncDesktopName: true,
    category: 'Office',
    synopsis: 'Stocknerve store terminal',
    maintainer: `${pkg.author.name} <${pkg.author.email}>`,
    vendor: pkg.author.name,
  },
  deb: { packageCategory: 'misc' },
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    executableName: 'stocknerve-store',
  },
  // Per-machine: IT installs a till once, with administrator rights, into
  // C:\Program Files\Stocknerve Store; cashiers cannot change or remove it. The terminal's data
  // (IndexedDB in the persist:stocknerve partition) still lives per Windows user in
  // %APPDATA%\Stocknerve Store, and is kept on uninstall: it may hold unsynced events.
  nsis: {
    oneClick: false,
    perMachine: true,
    allowToChangeInstallationDirectory: true,
    deleteAppDataOnUninstall: false,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    shortcutName: pkg.productName,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: electron-builder's macros, expanded by it.
    artifactName: 'stocknerve-store-setup-${version}-${arch}.${ext}',
  },
};

export default config;
