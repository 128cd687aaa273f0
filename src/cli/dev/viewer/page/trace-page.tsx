import { useEffect, useState } from 'preact/hooks';
import { fetchTrace, type TraceView } from './api.js';
import { formatDuration, formatTime } from './format.js';
import { SpanDetails } from './span-details.js';
import { Waterfall } from './waterfall.js';

function CopyButton({ label, text }: { label: string; text: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setDone(true),
          () => setDone(false),
        );
      }}
    >
      {done ? `${label} copied` : `Copy ${label}`}
    </button>
  );
}

/** One trace: header (copy buttons, Jaeger link), the waterfall and the selected span's details. */
export function TracePage({ traceId, jaegerUi, onBack }: { traceId: string; jaegerUi: string | null; onBack: () => void }) {
  const [trace, setTrace] = useState<TraceView | undefined>(undefined);
  const [problem, setProblem] = useState('');
  const [selected, setSelected] = useState(0);
  useEffect(() => {
    fetchTrace(traceId).then(
      (t) => {
        setTrace(t);
        setSelected(t.bottleneck >= 0 ? t.bottleneck : 0);
      },
      (e: Error) => setProblem(e.message),
    );
  }, [traceId]);
  if (problem !== '') return <p role="alert">{problem}</p>;
  if (trace === undefined) return <p>Loading…</p>;
  const errors = trace.spans.filter((s) => s.error).length;
  const bottleneck = trace.spans[trace.bottleneck];
  return (
    <section class="trace-page" aria-label={`Trace ${trace.traceId}`}>
      <header class="trace-header">
        <button type="button" onClick={onBack}>
          ← Traces
        </button>
        <h2>
          <code>{trace.traceId}</code>
        </h2>
        <span>
          {formatTime(trace.startMs)} · {formatDuration(trace.durationNs)} · {trace.spans.length} spans · {trace.services.length} services
          {errors > 0 ? <span class="error-mark"> · ⚠ {errors} errors</span> : null}
        </span>
        <CopyButton label="trace id" text={trace.traceId} />
        {trace.traceparent !== '' ? <CopyButton label="traceparent" text={trace.traceparent} /> : null}
        {jaegerUi !== null ? (
          <a href={`${jaegerUi.replace(/\/+$/, '')}/trace/${trace.traceId}`} target="_blank" rel="noopener noreferrer">
            Open in Jaeger
          </a>
        ) : null}
      </header>
      {bottleneck !== undefined ? (
        <p class="bottleneck-line">
          ◆ Bottleneck: <b>{bottleneck.service}</b> {bottleneck.name}, {formatDuration(bottleneck.selfNs)} of its own on the critical path
        </p>
      ) : null}
      <div class="trace-body">
        <Waterfall trace={trace} selected={selected} onSelect={setSelected} />
        {trace.spans[selected] !== undefined ? <SpanDetails span={trace.spans[selected]} /> : null}
      </div>
    </section>
  );
}
