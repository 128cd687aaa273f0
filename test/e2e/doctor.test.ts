// `tracewire doctor` against a real Jaeger v2, and against the Collector that stands in for Grafana Tempo's OTLP
// ingest (Tempo itself is AGPL-licensed and never run here; see backends/tempo-ingest.yaml): a healthy setup exits 0
// and its probe span is stored; the classic mistakes (query port instead of OTLP, path twice) exit 1 with the remedy.
// Tempo's own refusals (503 "no org id", its query port 3200) are checked against recorded answers in
// test/integration/cli-doctor.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { Backends, JAEGER_URL, PORTS, TEMPO_TENANT, TENANT_ATTRIBUTE } from './backends/backends.js';

const backends = new Backends();
const JAEGER_OTLP = `http://127.0.0.1:${PORTS.jaegerOtlpHttp}`;
const TEMPO_OTLP = `http://127.0.0.1:${PORTS.tempoOtlpHttp}`;

beforeAll(async () => {
  try {
    await backends.startJaeger();
    await backends.startTempoLikeReceiver();
  } catch (error) {
    await backends.stopAll();
    throw error;
  }
});
afterAll(() => backends.stopAll());

const poll = <T>(what: string, check: () => Promise<T | undefined>) => backends.until(what, check);

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
    expect(stdout).toContain(
      `✖ POST ${JAEGER_URL}/v1/traces (http/protobuf) → HTTP 200 with an HTML page: this is a web UI, not an OTLP receiver`,
    );
  });

  it('exits 1 when /v1/traces is given twice: Jaeger answers 404 at the effective URL', async () => {
    const { code, stdout } = await runCli(['doctor'], { OTEL_EXPORTER_OTLP_ENDPOINT: `${JAEGER_OTLP}/v1/traces` });
    expect(code).toBe(1);
    expect(stdout).toContain(`✖ POST ${JAEGER_OTLP}/v1/traces/v1/traces (http/protobuf) → HTTP 404`);
    expect(stdout).toContain('ends in /v1/traces/v1/traces');
  });
});

describe("tracewire doctor against Tempo's OTLP ingest (the Collector's OTLP receiver, as Tempo's distributor runs it)", () => {
  it('exits 0 with the tenant header (http/json + gzip), and the probe span arrives with that tenant', async () => {
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
    const spans = await poll('probe span behind the Tempo-like receiver', async () => {
      const res = await fetch(`${JAEGER_URL}/api/traces?service=doctor-e2e-tempo&limit=5&lookback=1h`);
      const body = (await res.json()) as {
        data?: Array<{ spans: Array<{ operationName: string; tags: Array<{ key: string; value: unknown }> }> }>;
      };
      const found = (body.data ?? []).flatMap((t) => t.spans);
      return found.length > 0 ? found : undefined;
    });
    expect(spans[0]!.operationName).toBe('tracewire doctor probe');
    expect(spans[0]!.tags).toContainEqual(expect.objectContaining({ key: TENANT_ATTRIBUTE, value: TEMPO_TENANT }));
  });
});
