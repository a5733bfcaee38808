import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileLine {
  readonly share: number;
  readonly ms: number;
  readonly what: string;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Self time by function. */
  readonly functions: ProfileLine[];
  /** Self time by source file (node_modules grouped by package). */
  readonly files: ProfileLine[];
  /** Inclusive time of the hub's own functions (what calls the hot leaves). */
  readonly inclusive: ProfileLine[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const fileOf = (url: string): string => {
  if (!url) return '(native / runtime)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return `${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]} (dependency)`;
  }
  if (path.startsWith('node:')) return path;
  return relative(ROOT, path);
};

/** Self and inclusive time per function from a V8 .cpuprofile (node --cpu-prof). */
export const summariseProfile = (file: string, top = 20): ProfileSummary => {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${fileOf(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  const fnSelf = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    fnSelf.set(label(n), (fnSelf.get(label(n)) ?? 0) + us);
    const f = fileOf(n.callFrame.url);
    fileSelf.set(f, (fileSelf.get(f) ?? 0) + us);
    // Inclusive: charge every distinct project frame on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur);
      if (!frame?.callFrame.url.includes('/apps/') && !frame?.callFrame.url.includes('/packages/')) continue;
      const l = label(frame);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + us);
    }
  }
  const lines = (m: Map<string, number>, n: number): ProfileLine[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([what, us]) => ({ what, ms: Math.round(us / 1000), share: Math.round((us / total) * 1000) / 10 }));
  return {
    file,
    totalMs: Math.round(total / 1000),
    functions: lines(fnSelf, top),
    files: lines(fileSelf, 12),
    inclusive: lines(incl, top),
  };
};

/**
 * The main thread's .cpuprofile in a directory: the largest one (the WAL checkpointing thread
 * writes a mostly idle profile of its own next to it).
 */
export const mainThreadProfile = (dir: string): string | undefined =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];

export const formatProfile = (s: ProfileSummary): string =>
  [
    `profile ${s.file} (${s.totalMs} ms sampled)`,
    '  self time by file:',
    ...s.files.map((l) => `    ${String(l.share).padStart(5)}%  ${l.what}`),
    '  self time by function:',
    ...s.functions.map((l) => `    ${String(l.share).padStart(5)}%  ${l.what}`),
    '  inclusive time of project functions:',
    ...s.inclusive.map((l) => `    ${String(l.share).padStart(5)}%  ${l.what}`),
  ].join('\n');

/** Summarises the hub child's profile into the result (when the run profiles) and prints it. */
export const collectProfile = async (
  options: { profile: boolean; log: (line: string) => void },
  dir: string,
  data: Record<string, unknown>,
): Promise<void> => {
  if (!options.profile) return;
  await new Promise((r) => setTimeout(r, 500));
  const file = existsSync(dir) ? mainThreadProfile(dir) : undefined;
  if (!file) {
    options.log('  no CPU profile was written');
    return;
  }
  const summary = summariseProfile(file);
  data.profile = summary;
  options.log(formatProfile(summary));
  // Worker threads (the hub's apply worker) write their own profiles.
  const others = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .filter((f) => f !== file);
  if (others.length > 0) {
    const threads = others.map(summariseProfile);
    data.workerProfiles = threads;
    for (const t of threads) options.log(`  worker thread:\n${formatProfile(t)}`);
  }
};

/** node flags that make a hub child write a CPU profile (when the run profiles). */
export const profileArgs = (
  options: { profile: boolean; workDir: string },
  name: string,
): { args: string[]; dir: string } => {
  const dir = join(options.workDir, `profile-${name}`);
  if (!options.profile) return { args: [], dir };
  mkdirSync(dir, { recursive: true });
  return { args: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '500'], dir };
};
