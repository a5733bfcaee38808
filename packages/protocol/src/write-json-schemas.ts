// Writes docs/schemas/<Type>.v<version>.json for every readable event (type, version), the
// heartbeat, every KV value and index.json, from the zod schemas (json-schemas.ts).
//
//   pnpm schemas              (from the repository root, after `pnpm build`)
//   pnpm schemas -- --check   exit 1 and list the files that are stale
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSchemaFiles, SCHEMA_DIR } from './json-schemas.js';

// dist/ (or src/) of packages/protocol: the repository is three levels up.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = join(root, SCHEMA_DIR);

/** Files that differ from what the code generates: missing, changed, or no longer generated. */
const staleFiles = (files: Map<string, string>): string[] => {
  const stale: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    if (!existsSync(path)) stale.push(`${name} (missing)`);
    else if (readFileSync(path, 'utf8') !== text) stale.push(`${name} (out of date)`);
  }
  if (existsSync(dir))
    for (const name of readdirSync(dir).sort())
      if (name.endsWith('.json') && !files.has(name)) stale.push(`${name} (no longer generated)`);
  return stale;
};

const main = () => {
  const files = generateSchemaFiles();
  if (process.argv.includes('--check')) {
    const stale = staleFiles(files);
    if (stale.length > 0) {
      console.error(`${SCHEMA_DIR} is stale; run \`pnpm schemas\`:\n${stale.map((s) => `  ${s}`).join('\n')}`);
      process.exit(1);
    }
    console.log(`${SCHEMA_DIR}: ${files.size} files up to date`);
    return;
  }
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir))
    if (name.endsWith('.json') && !files.has(name)) {
      rmSync(join(dir, name));
      console.log(`removed ${SCHEMA_DIR}/${name}`);
    }
  let written = 0;
  for (const [name, text] of files) {
    const path = join(dir, name);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    writeFileSync(path, text);
    written++;
  }
  console.log(`${SCHEMA_DIR}: ${files.size} files, ${written} written`);
};

main();
