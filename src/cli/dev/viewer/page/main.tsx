// The tracewire dev viewer: a Preact page served by the receiver (see ../viewer-routes.ts). Everything it shows is
// rendered as text by Preact (never as HTML); the page loads no script but this bundle (strict CSP).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { fetchConfig, fetchSummary, NO_FILTERS, type Filters, type RedReport } from './api.js';
import { RedTable } from './red-table.js';
import { ServiceMap } from './service-map.js';
import { TraceList } from './trace-list.js';
import { TracePage } from './trace-page.js';
import './viewer.css';

type Route = { page: 'list' } | { page: 'trace'; traceId: string } | { page: 'map' };

function routeOf(hash: string): Route {
  const trace = /^#\/trace\/([0-9a-f]{32})$/.exec(hash);
  if (trace !== null) return { page: 'trace', traceId: trace[1]! };
  return hash === '#/map' ? { page: 'map' } : { page: 'list' };
}

function MapPage() {
  const [report, setReport] = useState<RedReport | undefined>(undefined);
  useEffect(() => {
    const load = (): void => void fetchSummary().then(setReport, () => undefined);
    load();
    const source = new EventSource('/api/events');
    let timer: ReturnType<typeof setTimeout> | undefined;
    source.addEventListener('trace', () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        load();
      }, 1000);
    });
    return () => {
      source.close();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, []);
  if (report === undefined) return <p>Loading…</p>;
  return (
    <section aria-label="Service map and RED">
      <p>
        {report.traces} traces, {report.spans} spans
      </p>
      <ServiceMap report={report} />
      <RedTable title="Services" rows={report.services} operations={false} />
      <RedTable title="Operations" rows={report.operations} operations={true} />
    </section>
  );
}

function App() {
  const [route, setRoute] = useState<Route>(routeOf(location.hash));
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [jaegerUi, setJaegerUi] = useState<string | null>(null);
  useEffect(() => {
    const onHash = (): void => setRoute(routeOf(location.hash));
    window.addEventListener('hashchange', onHash);
    fetchConfig().then(
      (c) => setJaegerUi(c.jaegerUi),
      () => undefined,
    );
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return (
    <>
      <header class="top">
        <h1>tracewire dev</h1>
        <nav>
          <a href="#/" aria-current={route.page !== 'map' ? 'page' : undefined}>
            Traces
          </a>
          <a href="#/map" aria-current={route.page === 'map' ? 'page' : undefined}>
            Service map and RED
          </a>
        </nav>
      </header>
      <main>
        {route.page === 'list' ? (
          <TraceList filters={filters} onFilters={setFilters} onOpen={(id) => (location.hash = `#/trace/${id}`)} />
        ) : null}
        {route.page === 'trace' ? <TracePage traceId={route.traceId} jaegerUi={jaegerUi} onBack={() => (location.hash = '#/')} /> : null}
        {route.page === 'map' ? <MapPage /> : null}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
