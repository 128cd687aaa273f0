/** What the receiver counted, for the line it says at exit. @internal */
export interface ReceiverStats {
  requests: number;
  spans: number;
  rejected: number;
  refused: number;
  cut: number;
}

/** The counts {@link describeReceiverStats} reads besides the receiver's own. @internal */
export interface ReceiverTotals {
  readonly stats: ReceiverStats;
  readonly dropped: number;
  readonly evicted: number;
  readonly jsonl?: { readonly path: string; readonly dropped: number; readonly written: boolean };
  readonly forward?: { readonly url: string; readonly forwarded: number; readonly notForwarded: number };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The facts said at exit, as one sentence: spans and requests received, then each non-zero count of what was
 * rejected, refused, cut, dropped, printed early, left out of `--jsonl` or not forwarded. Pure. @internal
 *
 * @example
 * ```ts
 * describeReceiverStats({ stats: { requests: 1, spans: 3, rejected: 0, refused: 0, cut: 0 }, dropped: 0, evicted: 0 });
 * // 'received 3 spans in 1 request'
 * ```
 */
export function describeReceiverStats(totals: ReceiverTotals): string {
  const { stats } = totals;
  const facts = [`received ${plural(stats.spans, 'span')} in ${plural(stats.requests, 'request')}`];
  if (stats.rejected > 0) facts.push(`rejected ${plural(stats.rejected, 'malformed request')}`);
  if (stats.refused > 0) facts.push(`refused ${plural(stats.refused, 'request')} over a limit (host, size, uploads in flight, time)`);
  if (stats.cut > 0) facts.push(`cut ${plural(stats.cut, 'over-long value')} or list entries`);
  if (totals.dropped > 0) facts.push(`dropped ${plural(totals.dropped, 'span')} over the per-trace or memory limits`);
  if (totals.evicted > 0) facts.push(`printed ${plural(totals.evicted, 'trace')} early to make room`);
  if (totals.jsonl !== undefined && totals.jsonl.dropped > 0) facts.push(`${totals.jsonl.dropped} spans left out of ${totals.jsonl.path}`);
  if (totals.forward !== undefined) {
    facts.push(`forwarded ${plural(totals.forward.forwarded, 'request')} to ${totals.forward.url}`);
    if (totals.forward.notForwarded > 0) facts.push(`${totals.forward.notForwarded} not forwarded`);
  }
  if (totals.jsonl?.written === true) facts.push(`spans appended to ${totals.jsonl.path}`);
  return facts.join(', ');
}
