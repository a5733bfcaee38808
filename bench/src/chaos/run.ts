// `pnpm chaos`: the simulator under faults (nats-server and hub SIGKILLed and restarted, nodes cut
// off, events re-sent after the dedupe window, malformed messages injected), then a comparison of
// the hub's views with an independent fold of every node's log. Exit code 1 on any loss or mismatch.
//
//   pnpm chaos -- --seed 7 --duration 120 [--regions 2 --stores 3 --terminals 2] [--rate 100] [--in-process]
import { parseArgs } from 'node:util';
import { formatChaosReport, runChaos } from './chaos.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    duration: { type: 'string', default: '120' },
    regions: { type: 'string', default: '2' },
    stores: { type: 'string', default: '3' },
    terminals: { type: 'string', default: '2' },
    rate: { type: 'string', default: '100' },
    'in-process': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const main = async () => {
  const inProcess = values['in-process'];
  const report = await runChaos({
    seed: values.seed,
    durationS: Number(values.duration),
    regions: Number(values.regions),
    storesPerRegion: inProcess ? 1 : Number(values.stores),
    terminalsPerStore: inProcess ? 2 : Number(values.terminals),
    rate: Number(values.rate),
    fleetMode: inProcess ? 'in-process' : 'workers',
    log: (line) => console.log(line),
  });
  console.log(formatChaosReport(report));
  if (values.json) console.log(JSON.stringify(report, null, 2));
  console.log(`reproduce: pnpm chaos -- --seed ${report.seed} --duration ${values.duration}`);
  process.exit(report.ok ? 0 : 1);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
