import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';

// The shell blocks on its stdin, a pipe held only by this process: when this process dies in any way
// (even SIGKILL, when no 'exit' listener runs) the pipe closes, `read` returns, and the shell kills
// the child and removes its directories.
const WATCHDOG_SCRIPT = 'read _; kill -KILL "$0" 2>/dev/null; sleep 0.2; rm -rf -- "$@"';

/**
 * Makes sure `child` dies with this process, and `dirsToRemove` go with it. Returns the watchdog
 * (kill it once the child is gone), or undefined when the child has no pid or /bin/sh is missing.
 */
export const watchChild = (child: ChildProcess, dirsToRemove: readonly string[] = []): ChildProcess | undefined => {
  if (child.pid === undefined) return undefined;
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, String(child.pid), ...dirsToRemove], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Without /bin/sh only the safety net is lost; the child itself is unaffected.
  watchdog.on('error', () => {});
  // The watchdog must never keep this process alive: unref both the process and the pipe.
  watchdog.unref();
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  child.once('exit', () => watchdog.kill('SIGKILL'));
  return watchdog;
};
