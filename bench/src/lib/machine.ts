import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { findNatsServerBinary } from '@stocknerve/test-harness';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGb: number;
  readonly node: string;
  readonly natsServer: string;
  readonly os: string;
}

const natsVersion = (): string => {
  try {
    const out = execFileSync(findNatsServerBinary(), ['--version'], { encoding: 'utf8' });
    return /v?(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? out.trim();
  } catch {
    return 'unknown';
  }
};

export const describeMachine = (): Machine => ({
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  ramGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  natsServer: natsVersion(),
  // The kernel's version without its build suffix (which names the host on some platforms).
  os: `${process.platform} ${release().split('-')[0]}`,
});

export const machineLine = (m: Machine): string =>
  `${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, Node ${m.node}, nats-server ${m.natsServer} (${m.os})`;
