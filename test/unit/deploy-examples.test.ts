// The deploy examples cannot run here (no Docker, no cluster): check that they parse and reference files that
// exist. The Tempo and Collector configs themselves run for real in the e2e suite.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../support/spawn-app.js';

const deploy = join(ROOT, 'examples/deploy');

describe('examples/deploy', () => {
  it('docker-compose.yaml parses and mounts only files that exist', () => {
    const compose = parse(readFileSync(join(deploy, 'docker-compose.yaml'), 'utf8')) as { services: Record<string, { volumes?: string[] }> };
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
