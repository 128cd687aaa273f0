import type { RedReport } from '../../red-summary.js';
import type { TraceSummary } from '../trace-summary.js';
import type { TraceView } from '../trace-view.js';

export type { RedReport, TraceSummary, TraceView };

/** The list's filters as the page holds them (strings, as typed). */
export interface Filters {
  service: string;
  operation: string;
  minDuration: string;
  maxDuration: string;
  errors: boolean;
  attr: string;
  q: string;
}

export const NO_FILTERS: Filters = { service: '', operation: '', minDuration: '', maxDuration: '', errors: false, attr: '', q: '' };

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The query string of the list's filters (empty values left out). */
export function filterQuery(filters: Filters): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === true) query.set(key, '1');
    else if (typeof value === 'string' && value.trim() !== '') query.set(key, value.trim());
  }
  return query.toString();
}

export const fetchTraces = (filters: Filters): Promise<{ traces: TraceSummary[]; total: number }> =>
  getJson(`/api/traces?${filterQuery(filters)}`);
export const fetchTrace = (traceId: string): Promise<TraceView> => getJson(`/api/traces/${encodeURIComponent(traceId)}`);
export const fetchSummary = (): Promise<RedReport> => getJson('/api/summary');
export const fetchConfig = (): Promise<{ jaegerUi: string | null; maxTraces: number }> => getJson('/api/config');
