import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The built hub CLI, `node <path> serve`: what operators run, and what tests and the bench start as
 * a process. The same path from src/ and dist/ (both one level under the package).
 */
const HUB_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** The built hub CLI's path, or an error that says how to build it. */
export const builtHubCli = (): string => {
  if (!existsSync(HUB_CLI)) throw new Error(`the hub is not built (${HUB_CLI} is missing): run \`pnpm build\``);
  return HUB_CLI;
};
