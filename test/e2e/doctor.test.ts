// `tracewire doctor` against a real Jaeger v2 and a real multitenant Grafana Tempo: a healthy setup exits 0 and its
// probe span is stored by the backend; the classic mistakes (query port instead of OTLP, missing tenant, path twice)
// exit 1 with the remedy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { Backends, JAEGER_URL, PORTS, TEMPO_TENANT, TEMPO_URL } from './backends/backends.js';

const backends = new Backends();
const JAEGER_OTLP = `http://127.0.0.1:${PORTS.jaegerOtlpHttp}`;
const TEMPO_OTLP = `http://127.0.0.1:${PORTS.tempoOtlpHttp}`;

beforeAll(async () => {
  try {
    await Promise.all([backends.startJaeger(), backends.startTempo()]);
  } catch (error) {
    await backends.stopAll();
    throw error;
  }
});
afterAll(() => backends.stopAll());

async function poll<T>(what: string, once: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await once().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not found within ${timeoutMs / 1000} s\n${backends.logs()}`);
}

describe('tracewire doctor against Jaeger', () => {
  it('exits 0 on the OTLP/HTTP port, and Jaeger stores the probe span', async () => {
    const { code, stdout } = await runCli(['doctor'], { OTEL_EXPORTER_OTLP_ENDPOINT: JAEGER_OTLP, OTEL_SERVICE_NAME: 'doctor-e2e-jaeger' });
    expect(code, stdout).toBe(0);
    expect(stdout).toContain(`✔ POST ${JAEGER_OTLP}/v1/traces (http/protobuf) → HTTP 200: the probe span was accepted`);
    const names = await poll('probe span in Jaeger', async () => {
      const res = await fetch(`${JAEGER_URL}/api/traces?service=doctor-e2e-jaeger&limit=5&lookback=1h`);
      const body = (await res.json()) as { data?: Array<{ spans: Array<{ operationName: string }> }> };
      const found = (body.data ?? []).flatMap((t) => t.spans.map((s) => s.operationName));
      return found.length > 0 ? found : undefined;
    });
    expect(names).toContain('tracewire doctor probe');
  });

  it("exits 1 when pointed at Jaeger's query port 16686, naming it", async () => {
    const { code, stdout } = await runCli(['doctor'], { OTEL_EXPORTER_OTLP_ENDPOINT: JAEGER_URL });
    expect(code).toBe(1);
    expect(stdout).toContain("uses port 16686, Jaeger's query UI/API port");
    // Jaeger's UI answers any path with its page (200, text/html): doctor must not take that for an accepted span.
    expect(stdout).toContain(`✖ POST ${JAEGER_URL}/v1/traces (http/protobuf) → HTTP 200 with an HTML page: this is a web UI, not an OTLP receiver`);
  });

  it('exits 1 when /v1/traces is given twice: Jaeger answers 404 at the effective URL', async () => {
    const { code, stdout } = await runCli(['doctor'], { OTEL_EXPORTER_OTLP_ENDPOINT: `${JAEGER_OTLP}/v1/traces` });
    expect(code).toBe(1);
    expect(stdout).toContain(`✖ POST ${JAEGER_OTLP}/v1/traces/v1/traces (http/protobuf) → HTTP 404`);
    expect(stdout).toContain('ends in /v1/traces/v1/traces');
  });
});

describe('tracewire doctor against multitenant Tempo', () => {
  it('exits 0 with the tenant header (http/json + gzip), and Tempo stores the probe span', async () => {
    const { code, stdout } = await runCli(['doctor'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: TEMPO_OTLP,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_HEADERS: `X-Scope-OrgID=${TEMPO_TENANT}`,
      OTEL_SERVICE_NAME: 'doctor-e2e-tempo',
    });
    expect(code, stdout).toBe(0);
    expect(stdout).toContain(`✔ POST ${TEMPO_OTLP}/v1/traces (http/json, gzip) → HTTP 200: the probe span was accepted`);
    expect(stdout).toContain('"X-Scope-OrgID": "[REDACTED]"');
    const traces = await poll('probe span in Tempo', async () => {
      const res = await fetch(`${TEMPO_URL}/api/search?tags=${encodeURIComponent('service.name=doctor-e2e-tempo')}&limit=5`, { headers: { 'X-Scope-OrgID': TEMPO_TENANT } });
      const body = (await res.json()) as { traces?: Array<{ rootTraceName?: string }> };
      return body.traces && body.traces.length > 0 ? body.traces : undefined;
    });
    expect(traces[0]!.rootTraceName).toBe('tracewire doctor probe');
  });

  it('exits 1 without the tenant header, with the header to set as remedy', async () => {
    const { code, stdout } = await runCli(['doctor'], { OTEL_EXPORTER_OTLP_ENDPOINT: TEMPO_OTLP });
    expect(code).toBe(1);
    // Tempo answers 503 "no org id".
    expect(stdout).toMatch(new RegExp(`✖ POST ${TEMPO_OTLP}/v1/traces \\(http/protobuf\\) → HTTP \\d{3}: the endpoint refused the probe span: no tenant \\(org id\\) given`));
    expect(stdout).toContain('remedy: send the tenant with OTEL_EXPORTER_OTLP_HEADERS=X-Scope-OrgID=<tenant>');
  });

  it("exits 1 when pointed at Tempo's query port 3200", async () => {
    const { code, stdout } = await runCli(['doctor'], { OTEL_EXPORTER_OTLP_ENDPOINT: TEMPO_URL, OTEL_EXPORTER_OTLP_HEADERS: `X-Scope-OrgID=${TEMPO_TENANT}` });
    expect(code).toBe(1);
    expect(stdout).toContain("uses port 3200, Tempo's query HTTP API port");
  });
});
