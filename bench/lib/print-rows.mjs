// Prints benchmark rows (see row() in stats.mjs) as a table: min/median/max of both sides, the ratio of the
// medians and, for rows with a bar, whether it is met; a row's `peers` ({ name: { median, ratio } }, the other
// tracers measured in the same run, e.g. by http-load.mjs) are printed beside it.
import { meetsBar } from './stats.mjs';

/** A figure with 3 significant digits or fewer (no decimals from 100 up). */
export const fmt = (x) =>
  x === undefined || x === null ? '-' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
const triple = (s) => (s ? `${fmt(s.min)} / ${fmt(s.median)} / ${fmt(s.max)}` : '-');

/** Prints `rows` to stdout; returns true when every bar is met. */
export function printRows(rows) {
  let ok = true;
  for (const r of rows) {
    const met = meetsBar(r);
    ok &&= met;
    const verdict = r.bar ? `${met ? 'PASS' : 'FAIL'} (bar ${r.bar.op} ${r.bar.limit})` : 'info';
    console.log(
      `${r.name}\n  tracewire ${triple(r.tracewire)} ${r.unit}   baseline ${triple(r.stock)}   ratio ${r.ratio === null ? '-' : r.ratio.toFixed(3)}   ${verdict}`,
    );
    const peers = Object.entries(r.peers ?? {});
    if (peers.length)
      console.log(
        `  beside it: ${peers.map(([name, p]) => `${name} ${fmt(p.median)} ${r.unit} (ratio ${p.ratio === undefined ? '-' : p.ratio.toFixed(3)})`).join(', ')}`,
      );
    if (r.note) console.log(`  ${r.note}`);
  }
  return ok;
}
