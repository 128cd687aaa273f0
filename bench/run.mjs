// `npm run bench`: every benchmark of issue #8, tracewire next to the stock OpenTelemetry setup in the same run,
// printed as rows with min/median/max, the ratio of the medians and whether the bar is met.
// Exits 1 when a bar is missed. Needs the build (`npm run bench` builds first) and an idle machine: the numbers
// are ratios measured in one run, so a busy machine makes them noisy but not biased towards either side.
//
// Every run also writes its rows, with the Node.js version, CPU, date and commit, to bench/results/ (see
// lib/results-file.mjs); `node bench/render-tables.mjs` then renders the README and bench/README tables from the
// newest full run per Node.js major. A run limited with --only is not written (it would hide the other rows).
//
// Usage: node bench/run.mjs [--only spans,otlp-encoding,...] [--quick]
//   --quick runs fewer repeats (a smoke run, not for publishing numbers; written as -quick, never rendered).
import { printRows } from './lib/print-rows.mjs';
import { runMeta, writeResults } from './lib/results-file.mjs';

const BENCHES = [
  // [module, options for a full run, options for --quick, exported function returning rows (default: run)]
  ['spans', { repeats: 7 }, { repeats: 3 }],
  ['otlp-encoding', {}, { repeats: 3 }],
  ['startup', { runs: 9 }, { runs: 3 }],
  ['http-load', {}, { repeats: 1, durationS: 3, warmupS: 2 }],
  ['collector-down', {}, { quick: true }],
  ['log-correlation', { repeats: 21 }, { repeats: 3 }],
  ['collector-outage', { windowMs: 10_000, concurrency: 8 }, { windowMs: 2_000, concurrency: 8 }, 'runRows'],
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyIndex = args.indexOf('--only');
const only = onlyIndex === -1 ? null : args[onlyIndex + 1].split(',');

const meta = runMeta({ quick });
console.log(
  `tracewire benchmarks, node ${meta.node}, ${meta.date}, commit ${meta.commit}, ${meta.cores} x ${meta.cpu}${quick ? ' (quick)' : ''}`,
);
let ok = true;
const benches = {};
for (const [name, full, short, exportName = 'run'] of BENCHES) {
  if (only !== null && !only.includes(name)) continue;
  console.log(`\n## ${name}`);
  const rows = await (await import(`./${name}.mjs`))[exportName](quick ? short : full);
  benches[name] = rows;
  ok = printRows(rows) && ok;
}
if (only === null) console.log(`\nresults written to ${writeResults(meta, benches)}`);
console.log(`\n${ok ? 'every bar met' : 'some bars missed (FAIL above)'}`);
process.exitCode = ok ? 0 : 1;
