// Shared measurement helpers for the benchmarks in bench/. Every benchmark module exports
// `run(options)` returning a BenchResult (see bench/run.mjs) so `npm run bench` can print and judge them.

/** Median of a list of numbers (upper median for even lengths). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `{ min, median, max }` of a list of numbers. */
export const summarize = (xs) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });

/** Percentile p (0..100) of an ascending-sorted list. */
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * Runs each variant `repeats` times, interleaved (a, b, a, b, ...) after `warmup` unmeasured rounds, and returns
 * the samples per variant name. `variants` maps a name to an (optionally async) function returning one sample.
 */
export async function interleave(variants, { repeats = 7, warmup = 1 } = {}) {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + repeats; round++) {
    // Alternate the order every round so neither variant always runs first (GC debt, JIT state).
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const sample = await variants[name]();
      if (round >= warmup) samples[name].push(sample);
    }
  }
  return samples;
}

/**
 * One result row comparing tracewire with a baseline. `bar` is the pass condition on the ratio,
 * e.g. `{ op: '<=', limit: 0.5 }`; rows without a bar are informational.
 */
export function row(name, unit, tracewireSamples, stockSamples, bar, note) {
  const tracewire = summarize(tracewireSamples);
  const stock = stockSamples ? summarize(stockSamples) : null;
  const ratio = stock ? tracewire.median / stock.median : null;
  return { name, unit, tracewire, stock, ratio, bar, note };
}

/** Whether a row meets its bar (true when it has none). */
export function meetsBar(r) {
  if (!r.bar || r.ratio === null) return true;
  return r.bar.op === '<=' ? r.ratio <= r.bar.limit : r.ratio >= r.bar.limit;
}
