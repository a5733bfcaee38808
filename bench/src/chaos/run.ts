// `pnpm chaos`: the simulator under faults (nats-server and hub SIGKILLed and restarted, nodes cut
// off, events re-sent after the dedupe window, malformed messages injected), then a comparison of
// the hub's views with an independent fold of every node's log. Exit code 1 on any loss or mismatch.
//
//   pnpm chaos -- --seed 7 --duration 120 [--regions 2 --stores 3 --terminals 2] [--rate 100] [--in-process]
//
// `--cluster`: 3 nats-servers and 3 hub instances (see cluster-chaos.ts): leader SIGKILLs and
// SIGSTOPs, nats-server SIGKILLs, under a steady reservation load; every instance compared with a
// fold of the stream, every acknowledged reservation exactly once, none oversold.
//
//   pnpm chaos -- --cluster --seed 7 [--duration 60] [--reservations 30] [--lease-ms 3000] [--in-process]
import { parseArgs } from 'node:util';
import { formatChaosReport, runChaos } from './chaos.js';
import { formatClusterChaosReport, runClusterChaos } from './cluster-chaos.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    duration: { type: 'string' },
    regions: { type: 'string', default: '2' },
    stores: { type: 'string' },
    terminals: { type: 'string', default: '2' },
    rate: { type: 'string' },
    'in-process': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    cluster: { type: 'boolean', default: false },
    reservations: { type: 'string', default: '30' },
    'lease-ms': { type: 'string' },
  },
});

const runSingle = async () => {
  const inProcess = values['in-process'];
  const duration = values.duration ?? '120';
  const report = await runChaos({
    seed: values.seed,
    durationS: Number(duration),
    regions: Number(values.regions),
    storesPerRegion: inProcess ? 1 : Number(values.stores ?? '3'),
    terminalsPerStore: inProcess ? 2 : Number(values.terminals),
    rate: Number(values.rate ?? '100'),
    fleetMode: inProcess ? 'in-process' : 'workers',
    log: (line) => console.log(line),
  });
  console.log(formatChaosReport(report));
  if (values.json) console.log(JSON.stringify(report, null, 2));
  console.log(`reproduce: pnpm chaos -- --seed ${report.seed} --duration ${duration}`);
  return report.ok;
};

// Sized for a small machine: 3 nats-servers and 3 hubs share it with the fleet.
const runCluster = async () => {
  const inProcess = values['in-process'];
  const duration = values.duration ?? '60';
  const stores = Number(values.stores ?? '1');
  const report = await runClusterChaos({
    seed: values.seed,
    durationS: Number(duration),
    regions: Number(values.regions),
    storesPerRegion: inProcess ? 1 : stores,
    terminalsPerStore: inProcess ? 2 : Number(values.terminals),
    rate: Number(values.rate ?? '40'),
    fleetMode: inProcess ? 'in-process' : 'workers',
    reservationRate: Number(values.reservations),
    ...(values['lease-ms'] === undefined ? {} : { leaseMs: Number(values['lease-ms']) }),
    log: (line) => console.log(line),
  });
  console.log(formatClusterChaosReport(report));
  if (values.json) console.log(JSON.stringify(report, null, 2));
  console.log(`reproduce: pnpm chaos -- --cluster --seed ${report.seed} --duration ${duration}`);
  return report.ok;
};

const main = async () => {
  const ok = values.cluster ? await runCluster() : await runSingle();
  process.exit(ok ? 0 : 1);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
