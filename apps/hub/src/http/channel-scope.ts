import type { Principal } from '../tokens/token-registry.js';
import { problem, type Reply } from './reply.js';
import type { InputPart } from './validation.js';

/**
 * Whether the caller may see and change what a channel placed: managers and admins every channel;
 * an ecommerce token its own channels (every channel when it names none). Something placed by no
 * channel is only for unlimited callers.
 */
export const inScope = (principal: Principal | undefined, channel: string | null): boolean =>
  principal?.channels === undefined || (channel !== null && principal.channels.includes(channel));

/**
 * 403 naming the field, for a channel the caller names but may not use. (What it may not see is
 * answered 404, as if it did not exist: ids of other channels do not leak.)
 */
export const outOfScope = (principal: Principal | undefined, channel: string, where: InputPart): Reply | undefined =>
  inScope(principal, channel)
    ? undefined
    : problem(
        403,
        'forbidden',
        `channel: this token is limited to channel${principal?.channels?.length === 1 ? '' : 's'} ${principal?.channels?.join(', ')}`,
        { field: 'channel', in: where },
      );
