import { join } from 'node:path';
import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { HubChild, hubEnv } from '../lib/hub.js';
import { collectProfile, profileArgs } from '../lib/profile.js';
import { nowMs } from '../lib/stats.js';
import type { StreamLab } from '../lib/stream-lab.js';
import type { LimitFigures } from './limit.js';

/**
 * (5) Rebuild: the stream holds `count` store events; `stocknerve-hub rebuild` (a child process,
 * rebuildViews into a fresh SQLite file) replays all of them. The figure is the time rebuildViews
 * reports; the process's wall time (with start-up) is in the JSON.
 */
export const rebuildScenario = async (
  lab: StreamLab,
  count: number,
  limit: LimitFigures | undefined,
  options: BenchOptions,
): Promise<{ result: ScenarioResult; peakRss: number }> => {
  const r = result('rebuild', '5. Rebuild (replay the stream into fresh views)');
  await lab.fillTo(count, options.log);
  options.log(`  stream holds ${lab.lastSeq.toLocaleString('en')} messages; rebuilding`);
  const prof = profileArgs(options, 'rebuild');
  const started = nowMs();
  const child = new HubChild(
    'rebuild',
    { ...hubEnv(lab.server), HUB_DB: join(options.workDir, 'rebuild.sqlite'), HUB_LOG_LEVEL: 'info' },
    0,
    prof.args,
  );
  const lines = () =>
    child
      .output()
      .split('\n')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as { msg?: string; messages?: number; replayed?: number; ms?: number; time?: number }];
        } catch {
          return [];
        }
      });
  // A rebuild far slower than its target must not eat the whole run: stop it and project.
  const budgetMs = options.quick ? 120_000 : 240_000;
  const timer = setTimeout(() => void child.kill('SIGKILL'), budgetMs);
  const code = await child.wait();
  clearTimeout(timer);
  const wallMs = nowMs() - started;
  let line = lines().find((l) => l.msg === 'views rebuilt');
  if (!line && wallMs >= budgetMs - 1000) {
    const progress = lines().filter((l) => l.msg === 'rebuilding views' && l.replayed && l.time);
    const first = progress[0];
    const last = progress.at(-1);
    if (!first?.time || !last?.time || !last.replayed || last === first)
      throw new Error(`rebuild made no measurable progress in ${budgetMs / 1000} s`);
    const rate = ((last.replayed - (first.replayed ?? 0)) / (last.time - first.time)) * 1000;
    r.notes.push(
      `The rebuild was stopped after the ${budgetMs / 1000} s budget at ${last.replayed.toLocaleString('en')} of ${lab.lastSeq.toLocaleString('en')} events; its time is projected from the rate between its progress logs (${Math.round(rate)} events/s).`,
    );
    line = { messages: lab.lastSeq, ms: (lab.lastSeq / rate) * 1000 };
  }
  if (code !== 0 && !line) throw new Error(`rebuild exited with ${code}: ${child.output().slice(-3000)}`);
  if (!line?.ms || !line.messages) throw new Error(`rebuild did not report: ${child.output().slice(-2000)}`);
  const rate = (line.messages / line.ms) * 1000;
  const scaledLabel = 'scaled to 1,000,000 events';
  const label =
    line.messages < 1_000_000
      ? `rebuild of ${line.messages.toLocaleString('en')} events`
      : 'rebuild of 1,000,000 events';
  r.figures.push(fig(label, line.ms / 1000, 's'));
  if (line.messages < 1_000_000) {
    r.figures.push(fig(scaledLabel, (line.ms / 1000) * (1_000_000 / line.messages), 's'));
    r.notes.push(
      `--quick: ${line.messages.toLocaleString('en')} events; the target is checked on the time scaled to 1,000,000.`,
    );
  }
  r.targets.push(
    check(
      line.messages < 1_000_000 ? scaledLabel : label,
      (line.ms / 1000) * (1_000_000 / line.messages),
      '<',
      60,
      's',
    ),
  );
  r.figures.push(fig('replay rate', rate, 'events/s'), fig('rebuild peak RSS', child.peakRss / 2 ** 20, 'MB'));
  if (limit) r.figures.push(fig('ratio to raw pull consume (1)', (rate / limit.consumeRate) * 100, '%'));
  r.notes.push(
    `\`stocknerve-hub rebuild\` as a child process with the hub's credentials (operator mode); process wall time ${(wallMs / 1000).toFixed(1)} s incl. start-up.`,
  );
  Object.assign(r.data, { messages: line.messages, ms: line.ms, wallMs, rate, peakRssBytes: child.peakRss });
  await collectProfile(options, prof.dir, r.data);
  return { result: r, peakRss: child.peakRss };
};
