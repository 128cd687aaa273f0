import type { RedReport } from './api.js';
import { formatDuration, formatRate } from './format.js';

type Row = RedReport['services'][number];

/** Requests, errors, error rate and p50/p95/p99 per service or operation: the numbers of `--summary`. */
export function RedTable({ title, rows, operations }: { title: string; rows: readonly Row[]; operations: boolean }) {
  return (
    <table class="red">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          {operations ? <th scope="col">Operation</th> : null}
          <th scope="col">Requests</th>
          <th scope="col">Errors</th>
          <th scope="col">Error rate</th>
          <th scope="col">p50</th>
          <th scope="col">p95</th>
          <th scope="col">p99</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.service}\u0000${r.operation}`} class={r.errors > 0 ? 'error' : ''}>
            <td>{r.service}</td>
            {operations ? <td>{r.operation}</td> : null}
            <td class="num">{r.requests}</td>
            <td class="num">{r.errors > 0 ? `⚠ ${r.errors}` : '0'}</td>
            <td class="num">{formatRate(r.errors, r.requests)}</td>
            <td class="num">{formatDuration(r.p50)}</td>
            <td class="num">{formatDuration(r.p95)}</td>
            <td class="num">{formatDuration(r.p99)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
