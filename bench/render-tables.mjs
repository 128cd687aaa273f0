// Renders the benchmark tables of README.md and bench/README.md from the results files that `npm run bench` writes
// (bench/results/*.json): the newest full run per Node.js major, Node.js 24 (the reference platform) first.
// The tables sit between markers, so nothing else in those files is touched:
//   <!-- bench-table:bars:start --> ... <!-- bench-table:bars:end -->   the rows that have a bar
//   <!-- bench-table:all:start --> ... <!-- bench-table:all:end -->     every row
//
// Usage: node bench/render-tables.mjs           rewrite the tables
//        node bench/render-tables.mjs --check   exit 1 when a table differs from its rendering (npm test runs this
//                                               through test/unit/bench-tables.test.ts, so tables are never hand-edited)
import { readFileSync, writeFileSync } from 'node:fs';
import { fmt } from './lib/print-rows.mjs';
import { latestRuns } from './lib/results-file.mjs';
import { meetsBar } from './lib/stats.mjs';

const REFERENCE_MAJOR = 24;
const FILES = ['README.md', 'bench/README.md'].map((f) => new URL(`../${f}`, import.meta.url));
const MARKERS = /(<!-- bench-table:(bars|all):start -->\n)[\s\S]*?(<!-- bench-table:\2:end -->)/g;

const major = (run) => Number(run.node.replace(/^v/, '').split('.')[0]);
const figure = (x) => (Math.abs(x) >= 10_000 ? Math.round(x).toLocaleString('en-US') : fmt(x));
const escapeCell = (s) => s.replaceAll('|', '\\|');

function cell(r) {
  if (!r) return 'not measured';
  const ratio = r.ratio === null ? '' : ` (${r.ratio.toFixed(3)})`;
  const figures = r.stock
    ? `${figure(r.tracewire.median)} vs ${figure(r.stock.median)} ${r.unit}`
    : `${figure(r.tracewire.median)} ${r.unit}`;
  const verdict = r.bar ? (meetsBar(r) ? ' met' : ' **not met**') : '';
  // The other tracers measured in the same run (http-load rows): their ratio on the same baseline.
  const peers = Object.entries(r.peers ?? {}).map(([name, p]) => `${name} ${p.ratio === undefined ? '-' : p.ratio.toFixed(3)}`);
  return `${figures}${ratio}${verdict}${peers.length ? `; ${peers.join(', ')}` : ''}`;
}

/** Markdown table of the rows of `runs` (rows matched by benchmark and name); only rows with a bar when `barsOnly`. */
export function renderTable(runs, barsOnly) {
  const lines = [];
  lines.push(
    `Medians; the ratio is tracewire's over the baseline's. Rendered by \`node bench/render-tables.mjs\` from ${runs
      .map(
        (run) =>
          `\`bench/results/${run.file}\` (Node.js ${run.node.slice(1)}, ${run.date.slice(0, 10)}, commit ${run.commit}, ${run.cores} × ${run.cpu})`,
      )
      .join(' and ')}.`,
    '',
    `| benchmark | ${runs.map((run) => `Node.js ${run.node.slice(1)}`).join(' | ')} | bar |`,
    `|---|${runs.map(() => '---|').join('')}---|`,
  );
  const [reference] = runs;
  for (const [bench, rows] of Object.entries(reference.benches)) {
    for (const r of rows) {
      if (barsOnly && !r.bar) continue;
      const cells = runs.map((run) => cell(run.benches[bench]?.find((o) => o.name === r.name)));
      const bar = r.bar ? `${r.bar.op === '<=' ? '≤' : '≥'} ${r.bar.limit}` : '';
      lines.push(`| ${escapeCell(r.name)} | ${cells.map(escapeCell).join(' | ')} | ${bar} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The runs to render: the newest full run per major, the reference major first. */
export function runsToRender(runs = latestRuns()) {
  return [...runs].sort((a, b) => (major(a) === REFERENCE_MAJOR ? -1 : major(b) === REFERENCE_MAJOR ? 1 : major(b) - major(a)));
}

/** `text` with every marked table replaced by its rendering. */
export function renderInto(text, runs) {
  return text.replace(MARKERS, (_, start, kind, end) => `${start}${renderTable(runs, kind === 'bars')}${end}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = runsToRender();
  if (runs.length === 0) throw new Error('no results in bench/results/: run `npm run bench` first');
  let stale = false;
  for (const file of FILES) {
    const text = readFileSync(file, 'utf8');
    const rendered = renderInto(text, runs);
    if (rendered === text) continue;
    if (process.argv.includes('--check')) {
      console.error(
        `${file.pathname}: a benchmark table differs from the rendering of the results files; run node bench/render-tables.mjs`,
      );
      stale = true;
    } else {
      writeFileSync(file, rendered);
      console.log(`rendered the tables of ${file.pathname}`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}
