import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchTraces, type Filters, type TraceSummary } from './api.js';
import { formatDuration, formatTime } from './format.js';

/** Refetches at most this often when traces arrive (server-sent events), ms: live, without a request storm. */
const REFRESH_MS = 500;

function FilterBar({ filters, onChange }: { filters: Filters; onChange: (f: Filters) => void }) {
  const text = (key: keyof Filters, label: string, placeholder: string, numeric = false) => {
    const value = filters[key] as string;
    const onInput = (e: Event): void => onChange({ ...filters, [key]: (e.target as HTMLInputElement).value });
    return (
      <label>
        {label}
        {numeric ? (
          <input type="number" min={0} name={key} value={value} placeholder={placeholder} onInput={onInput} />
        ) : (
          <input type="text" name={key} value={value} placeholder={placeholder} onInput={onInput} />
        )}
      </label>
    );
  };
  return (
    <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
      {text('service', 'Service', 'any')}
      {text('operation', 'Operation', 'any')}
      {text('minDuration', 'Min ms', '0', true)}
      {text('maxDuration', 'Max ms', '∞', true)}
      {text('attr', 'Attribute', 'key=value')}
      {text('q', 'Span name contains', 'text')}
      <label class="check">
        <input
          type="checkbox"
          name="errors"
          checked={filters.errors}
          onChange={(e) => onChange({ ...filters, errors: (e.target as HTMLInputElement).checked })}
        />
        Errors only
      </label>
    </form>
  );
}

function TraceRow({ trace, scale, onOpen }: { trace: TraceSummary; scale: number; onOpen: (id: string) => void }) {
  const error = trace.errorCount > 0;
  return (
    <li
      class={`trace-row${error ? ' error' : ''}`}
      tabIndex={0}
      role="link"
      data-trace-id={trace.traceId}
      onClick={() => onOpen(trace.traceId)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') onOpen(trace.traceId);
      }}
    >
      <span class="root">
        {error ? (
          <span class="error-mark" aria-label={`${trace.errorCount} errors`}>
            ⚠ error
          </span>
        ) : null}
        <b>{trace.rootService}</b> {trace.rootName}
      </span>
      <span class="start">{formatTime(trace.startMs)}</span>
      <span class="duration">{formatDuration(trace.durationNs)}</span>
      <span class="count">{trace.spanCount} spans</span>
      <span class="services">{trace.services.join(', ')}</span>
      <span class="minibar" aria-hidden="true">
        <span class="fill" style={{ width: `${Math.max(1, (trace.durationNs / scale) * 100)}%` }} />
      </span>
    </li>
  );
}

/** The trace list: newest first, live (server-sent events), filtered on the server, navigable by keyboard. */
export function TraceList({
  filters,
  onFilters,
  onOpen,
}: {
  filters: Filters;
  onFilters: (f: Filters) => void;
  onOpen: (id: string) => void;
}) {
  const [data, setData] = useState<{ traces: TraceSummary[]; total: number } | undefined>(undefined);
  const [problem, setProblem] = useState('');
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const started = useRef(false);
  useEffect(() => {
    const load = (): void => {
      fetchTraces(filtersRef.current).then(
        (d) => {
          setData(d);
          setProblem('');
        },
        (e: Error) => setProblem(e.message),
      );
    };
    // Typing waits for a pause; the first load does not.
    const delay = setTimeout(load, started.current ? 150 : 0);
    started.current = true;
    return () => clearTimeout(delay);
  }, [filters]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const source = new EventSource('/api/events');
    source.addEventListener('trace', () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        fetchTraces(filtersRef.current).then(setData, (e: Error) => setProblem(e.message));
      }, REFRESH_MS);
    });
    return () => {
      source.close();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, []);
  const traces = data?.traces ?? [];
  const scale = traces.reduce((max, t) => Math.max(max, t.durationNs), 1);
  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const row = (e.target as HTMLElement).closest('li');
    const next = e.key === 'ArrowDown' ? row?.nextElementSibling : row?.previousElementSibling;
    if (next instanceof HTMLElement) {
      next.focus();
      e.preventDefault();
    }
  };
  return (
    <section aria-label="Traces">
      <FilterBar filters={filters} onChange={onFilters} />
      {problem !== '' ? (
        <p class="problem" role="alert">
          {problem}
        </p>
      ) : null}
      <p class="count-line" aria-live="polite">
        {data === undefined
          ? 'Loading…'
          : `${data.total} trace${data.total === 1 ? '' : 's'}${data.total > traces.length ? `, newest ${traces.length} shown` : ''}`}
      </p>
      <ul class="trace-list" onKeyDown={onKeyDown}>
        {traces.map((t) => (
          <TraceRow key={t.traceId} trace={t} scale={scale} onOpen={onOpen} />
        ))}
      </ul>
    </section>
  );
}
