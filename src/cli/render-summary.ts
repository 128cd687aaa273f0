import type { Painter } from './create-painter.js';
import { formatDuration } from './format-duration.js';
import type { RedReport, RedRow } from './red-summary.js';

function table(header: readonly string[], rows: readonly string[][], rightAligned: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i >= rightAligned ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

function cells(row: RedRow): string[] {
  const rate = row.requests > 0 ? (100 * row.errors) / row.requests : 0;
  return [String(row.requests), String(row.errors), `${rate.toFixed(1)}%`, formatDuration(row.p50), formatDuration(row.p95), formatDuration(row.p99)];
}

const METRICS = ['requests', 'errors', 'error rate', 'p50', 'p95', 'p99'];

/**
 * The RED summary as text: a per-service table, a per-operation table and the service dependency graph
 * (`caller → callee  N calls`). Pure. @internal
 *
 * @example
 * ```ts
 * process.stdout.write(renderSummary(red.report(), { paint: createPainter(false) }));
 * ```
 */
export function renderSummary(report: RedReport, options: { readonly paint: Painter }): string {
  const { paint } = options;
  const lines = [paint.bold(`Summary: ${report.traces} trace${report.traces === 1 ? '' : 's'}, ${report.spans} span${report.spans === 1 ? '' : 's'}`)];
  if (report.services.length === 0) return `${lines[0]}\n`;
  lines.push('', paint.bold('Services'));
  lines.push(...table(['service', ...METRICS], report.services.map((r) => [r.service, ...cells(r)]), 1));
  lines.push('', paint.bold('Operations'));
  lines.push(...table(['service', 'operation', ...METRICS], report.operations.map((r) => [r.service, r.operation, ...cells(r)]), 2));
  lines.push('', paint.bold('Dependencies'));
  if (report.dependencies.length === 0) lines.push('(no calls between services)');
  const callerWidth = Math.max(0, ...report.dependencies.map((d) => d.caller.length));
  const calleeWidth = Math.max(0, ...report.dependencies.map((d) => d.callee.length));
  for (const d of report.dependencies) {
    lines.push(`${d.caller.padEnd(callerWidth)} → ${d.callee.padEnd(calleeWidth)}  ${d.calls} call${d.calls === 1 ? '' : 's'}`);
  }
  return `${lines.join('\n')}\n`;
}
