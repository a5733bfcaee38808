import { parseArgs } from 'node:util';
import { defaultConfig, Role } from '../config.js';
import { createToken, listTokens, revokeToken, type TokenInfo } from './token-store.js';

export const TOKEN_USAGE = `usage: stocknerve-hub token <command>   (the token file: HUB_TOKEN_FILE, default .data/hub/tokens.json)
  create --role <ecommerce|manager|admin> [--channel <channel>]... [--name <text>]
              make a token; it is printed once, on stdout (the file keeps only its hash).
              An ecommerce token needs at least one --channel and sees only those channels.
  list        every token's id, role, channels, name and creation time (never the token)
  revoke <id> refuse the token from now on (a running hub notices within about a second)`;

/** Where the command writes: the token alone on `out`, everything else on `err`. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

const describe = (t: TokenInfo) =>
  `${t.role}${t.channels.length > 0 ? `, channels ${t.channels.join(', ')}` : ''}${t.name ? `, name ${JSON.stringify(t.name)}` : ''}`;

const table = (tokens: readonly TokenInfo[]): string[] => {
  const rows = [
    ['id', 'role', 'channels', 'created', 'name'],
    ...tokens.map((t) => [t.id, t.role, t.channels.join(',') || '-', t.createdAt, t.name]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
};

/**
 * `stocknerve-hub token create|list|revoke`. Returns the exit status: 0 done, 1 refused or failed,
 * 2 not understood.
 */
export const runTokenCommand = (
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  output: CommandOutput,
  now: Date = new Date(),
): number => {
  const file = env.HUB_TOKEN_FILE || defaultConfig().tokenFile;
  const [command, ...rest] = args;
  let parsed: Parsed;
  try {
    parsed = parseCommand(command, rest);
  } catch (error) {
    output.err(`${(error as Error).message}\n${TOKEN_USAGE}`);
    return 2;
  }
  try {
    switch (parsed.kind) {
      case 'create': {
        const created = createToken(file, parsed.request, now);
        if (!created.ok) {
          output.err(created.message);
          return 1;
        }
        output.out(created.token);
        output.err(
          `token ${created.info.id} created (${describe(created.info)}) in ${file}. ` +
            'It is shown this once: the hub keeps only its hash.',
        );
        return 0;
      }
      case 'list': {
        const tokens = listTokens(file);
        if (tokens.length === 0) output.err(`no tokens in ${file}`);
        else for (const line of table(tokens)) output.out(line);
        return 0;
      }
      case 'revoke': {
        const revoked = revokeToken(file, parsed.id);
        if (!revoked.ok) {
          output.err(revoked.message);
          return 1;
        }
        output.out(`revoked ${revoked.info.id} (${describe(revoked.info)})`);
        return 0;
      }
      case 'help':
        output.out(TOKEN_USAGE);
        return 0;
    }
  } catch (error) {
    output.err(error instanceof Error ? error.message : String(error));
    return 1;
  }
};

type Parsed =
  | { readonly kind: 'create'; readonly request: { role: Role; channels: string[]; name?: string } }
  | { readonly kind: 'list' }
  | { readonly kind: 'revoke'; readonly id: string }
  | { readonly kind: 'help' };

/** Throws a one-line message for what it does not understand. */
const parseCommand = (command: string | undefined, args: string[]): Parsed => {
  switch (command) {
    case 'create': {
      const { values } = parseArgs({
        args,
        options: {
          role: { type: 'string' },
          channel: { type: 'string', multiple: true },
          name: { type: 'string' },
        },
        strict: true,
        allowPositionals: false,
      });
      const role = Role.safeParse(values.role);
      if (!role.success) throw new Error(`--role must be one of ${Role.options.join(', ')}`);
      return {
        kind: 'create',
        request: {
          role: role.data,
          channels: values.channel ?? [],
          ...(values.name === undefined ? {} : { name: values.name }),
        },
      };
    }
    case 'list':
      parseArgs({ args, options: {}, strict: true, allowPositionals: false });
      return { kind: 'list' };
    case 'revoke': {
      const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
      const [id, ...extra] = positionals;
      if (id === undefined || extra.length > 0) throw new Error('revoke takes one token id (see `token list`)');
      return { kind: 'revoke', id };
    }
    case undefined:
    case 'help':
    case '--help':
      return { kind: 'help' };
    default:
      throw new Error(`unknown token command ${JSON.stringify(command)}`);
  }
};
