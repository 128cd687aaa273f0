import type { TraceView } from './api.js';
import { formatDuration, valueText } from './format.js';

type SpanView = TraceView['spans'][number];
const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS = ['unset', 'ok', 'error'];

function Table({ title, values }: { title: string; values: Readonly<Record<string, unknown>> }) {
  const entries = Object.entries(values);
  return (
    <section>
      <h4>{title}</h4>
      {entries.length === 0 ? (
        <p class="muted">none</p>
      ) : (
        <table class="kv">
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>{valueText(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Service, duration, kind, status, id, and the critical path, clock skew and missing parent where they apply. */
function Facts({ span }: { span: SpanView }) {
  return (
    <dl class="facts">
      <dt>Service</dt>
      <dd>{span.service}</dd>
      <dt>Duration</dt>
      <dd>
        {formatDuration(span.durationNs)} (starts at {formatDuration(span.startNs)})
      </dd>
      <dt>Kind</dt>
      <dd>{KINDS[span.kind] ?? span.kind}</dd>
      <dt>Status</dt>
      <dd class={span.error ? 'error-text' : ''}>
        {STATUS[span.statusCode] ?? span.statusCode}
        {span.statusMessage !== '' ? `: ${span.statusMessage}` : ''}
      </dd>
      <dt>Span id</dt>
      <dd>
        <code>{span.spanId}</code>
      </dd>
      {span.critical ? (
        <>
          <dt>Critical path</dt>
          <dd>
            {span.bottleneck ? '◆ bottleneck, ' : 'on the path, '}
            own time {formatDuration(span.selfNs)}
          </dd>
        </>
      ) : null}
      {span.skewNs !== 0 ? (
        <>
          <dt>Clock skew</dt>
          <dd>
            moved {formatDuration(Math.abs(span.skewNs))} {span.skewNs > 0 ? 'later' : 'earlier'} to fit inside its caller
          </dd>
        </>
      ) : null}
      {span.parentMissing ? (
        <>
          <dt>Parent</dt>
          <dd>not received ({span.parentSpanId})</dd>
        </>
      ) : null}
    </dl>
  );
}

/** Everything about one span, as text: status, exception (message and stack), attributes, resource, events, links. */
export function SpanDetails({ span }: { span: SpanView }) {
  return (
    <aside class="details" aria-label="Span details">
      <h3>
        {span.error ? <span class="error-mark">⚠ </span> : null}
        {span.name}
      </h3>
      <Facts span={span} />
      {span.exception !== undefined ? (
        <section class="exception" role="note">
          <h4>⚠ Exception{span.exception.type !== '' ? `: ${span.exception.type}` : ''}</h4>
          <p class="exception-message">{span.exception.message}</p>
          {span.exception.stacktrace !== '' ? <pre class="stack">{span.exception.stacktrace}</pre> : null}
        </section>
      ) : null}
      <Table title="Attributes" values={span.attributes} />
      <Table title="Resource" values={span.resource} />
      <section>
        <h4>Events</h4>
        {span.events.length === 0 ? <p class="muted">none</p> : null}
        {span.events.map((event, i) => (
          <div key={i} class="event">
            <p>
              <b>{event.name}</b> at {formatDuration(event.offsetNs)}
            </p>
            <Table title="" values={event.attributes} />
          </div>
        ))}
      </section>
      <section>
        <h4>Links</h4>
        {span.links.length === 0 ? <p class="muted">none</p> : null}
        {span.links.map((link, i) => (
          <p key={i}>
            <code>
              {link.traceId}/{link.spanId}
            </code>
          </p>
        ))}
      </section>
    </aside>
  );
}
