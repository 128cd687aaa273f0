// The deploy examples cannot run here (no Docker, no cluster): check that they parse and reference files that
// exist. The Tempo and Collector configs themselves run for real in the e2e suite.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import winston from 'winston';
import { parse, parseAllDocuments } from 'yaml';
import { getLogContext, initTracing, withSpan, type TracingHandle } from '../../src/index.js';
import { pinoMixin } from '../../src/logs/pino-mixin.js';
import { traceFormat } from '../../src/logs/trace-format.js';
import { JsonLines } from '../support/json-lines.js';
import { ROOT } from '../support/spawn-app.js';

const deploy = join(ROOT, 'examples/deploy');

describe('examples/deploy', () => {
  it('docker-compose.yaml parses and mounts only files that exist', () => {
    const compose = parse(readFileSync(join(deploy, 'docker-compose.yaml'), 'utf8')) as {
      services: Record<string, { volumes?: string[] }>;
    };
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['jaeger', 'tempo', 'collector', 'grafana']));
    for (const svc of Object.values(compose.services)) {
      for (const volume of svc.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(join(deploy, source)), source).toBe(true);
      }
    }
  });

  it('the Kubernetes manifests parse and start the app with the register flag', () => {
    const docs = parseAllDocuments(readFileSync(join(deploy, 'k8s/tracing.yaml'), 'utf8')).map((d) => d.toJSON());
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service', 'Deployment']);
    expect(JSON.stringify(docs[2])).toContain('"--import","tracewire/register"');
  });

  it('the collector pipeline keeps errors, slow traces and 10% of the rest', () => {
    const config = parse(readFileSync(join(deploy, 'collector/tail-sampling.yaml'), 'utf8'));
    const policies = config.processors.tail_sampling.policies.map((p: { type: string }) => p.type);
    expect(policies).toEqual(['status_code', 'latency', 'probabilistic']);
  });
});

interface DataSource {
  name: string;
  type: string;
  uid: string;
  jsonData?: {
    derivedFields?: Array<{ name: string; matcherRegex: string; datasourceUid: string; url: string }>;
    tracesToLogsV2?: { datasourceUid: string; filterByTraceID: boolean; tags: Array<{ key: string; value: string }> };
  };
}

describe('examples/deploy/grafana/datasources.yaml: log <-> trace links', () => {
  const { datasources } = parse(readFileSync(join(deploy, 'grafana/datasources.yaml'), 'utf8')) as { datasources: DataSource[] };
  const tempo = datasources.find((d) => d.type === 'tempo')!;
  const loki = datasources.find((d) => d.type === 'loki')!;
  const derived = loki.jsonData!.derivedFields![0]!;

  let tracing: TracingHandle;
  beforeAll(() => {
    tracing = initTracing({ serviceName: 'deploy-examples', exporters: ['none'], instrumentations: false, shutdownSignals: false });
  });
  afterAll(() => tracing.shutdown());

  it('links the Loki trace_id field to the Tempo data source, and Tempo spans back to Loki by trace id', () => {
    expect(derived.datasourceUid).toBe(tempo.uid);
    expect(derived.url).toBe('$${__value.raw}'); // `$$` is a literal `$` in provisioning files
    expect(tempo.jsonData!.tracesToLogsV2).toMatchObject({
      datasourceUid: loki.uid,
      filterByTraceID: true,
      tags: [{ key: 'service.name', value: 'service_name' }],
    });
  });

  it('the README shows the same regex as the provisioned derived field', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`matcherRegex: '${derived.matcherRegex}'`);
  });

  it('the derived-field regex captures the trace id from real pino and winston lines, and nothing from lines outside spans', async () => {
    // Grafana applies derived fields in the browser with a JavaScript RegExp and links the first group.
    const regex = new RegExp(derived.matcherRegex);
    const pinoOut = new JsonLines();
    const winstonOut = new JsonLines();
    const pinoLogger = pino({ mixin: pinoMixin() }, pinoOut);
    const winstonLogger = winston.createLogger({
      format: winston.format.combine(traceFormat(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream: winstonOut })],
    });
    const traceId = withSpan('checkout', (span) => {
      pinoLogger.info({ orderId: 7 }, 'order paid');
      winstonLogger.info('order paid', { orderId: 7 });
      return span.spanContext().traceId;
    });
    pinoLogger.info('idle');
    winstonLogger.info('idle');
    await winstonOut.waitFor(2);
    for (const raw of [pinoOut.raw[0]!, winstonOut.raw[0]!]) expect(regex.exec(raw)?.[1], raw).toBe(traceId);
    for (const raw of [pinoOut.raw[1]!, winstonOut.raw[1]!]) expect(regex.exec(raw), raw).toBeNull();
  });

  it('the derived-field regex also reads a logfmt line built from getLogContext()', () => {
    const regex = new RegExp(derived.matcherRegex);
    withSpan('checkout', (span) => {
      const line = Object.entries({ msg: 'paid', ...getLogContext() })
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      expect(regex.exec(line)?.[1]).toBe(span.spanContext().traceId);
    });
  });
});
