// `npm run bench`: every benchmark of issue #8, tracewire next to the stock OpenTelemetry setup in the same run,
// printed as rows with min/median/max, the ratio of the medians and whether the bar is met.
// Exits 1 when a bar is missed. Needs the build (`npm run bench` builds first) and an idle machine: the numbers
// are ratios measured in one run, so a busy machine makes them noisy but not biased towards either side.
//
// Usage: node bench/run.mjs [--only spans,otlp-encoding,...] [--quick]
//   --quick runs fewer repeats (a smoke run, not for publishing numbers).
import { printRows } from './lib/print-rows.mjs';

const BENCHES = [
  // [module, options for a full run, options for --quick]
  ['spans', { repeats: 7 }, { repeats: 3 }],
  ['otlp-encoding', {}, { repeats: 3 }],
  ['startup', { runs: 9 }, { runs: 3 }],
  ['http-load', {}, { repeats: 1 }],
  ['collector-down', {}, { quick: true }],
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyIndex = args.indexOf('--only');
const only = onlyIndex === -1 ? null : args[onlyIndex + 1].split(',');

console.log(`tracewire benchmarks, node ${process.version}, ${new Date().toISOString()}${quick ? ' (quick)' : ''}`);
let ok = true;
for (const [name, full, short] of BENCHES) {
  if (only !== null && !only.includes(name)) continue;
  console.log(`\n## ${name}`);
  const { run } = await import(`./${name}.mjs`);
  const rows = await run(quick ? short : full);
  ok = printRows(rows) && ok;
}
console.log(`\n${ok ? 'every bar met' : 'some bars missed (FAIL above)'}`);
process.exitCode = ok ? 0 : 1;
