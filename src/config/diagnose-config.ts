import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { ResolvedConfig } from './types.js';
import { INSTRUMENTATION_TABLE } from '../instrumentations/table.js';
import { scriptName } from '../internal/script-name.js';
import { maskUrl } from '../internal/mask-url.js';

const localRequire = createRequire(import.meta.url);

/** Ports that are not OTLP/HTTP receivers, and what they are. @internal */
const WRONG_PORTS: Readonly<Record<string, string>> = {
  '14250': "Jaeger's legacy gRPC collector port (model.proto), not OTLP",
  '14268': "Jaeger's legacy Thrift HTTP collector port, not OTLP",
  '16686': "Jaeger's query UI/API port, which does not accept spans",
  '3200': "Tempo's query HTTP API port, which does not accept spans",
  '4317': 'the OTLP/gRPC port, while tracewire sends OTLP/HTTP',
};

/**
 * Libraries that must be loaded after tracing starts to be instrumented: the main target of each table row, except
 * those traced through a diagnostics channel (fastify), which are traced whenever they were loaded.
 */
const EARLY_MODULES: readonly string[] = INSTRUMENTATION_TABLE.flatMap((row) =>
  row.targets === null || row.tracedWhenLoadedEarly === true ? [] : [row.targets[0]!],
);

/**
 * The classic setup mistakes visible in a resolved config, each with a remedy. Pure. @internal
 *
 * @example
 * ```ts
 * diagnoseConfig(resolveConfig({ endpoint: 'http://localhost:4317' }).config);
 * // ['http://localhost:4317/v1/traces uses port 4317, the OTLP/gRPC port, …']
 * ```
 */
export function diagnoseConfig(config: ResolvedConfig): string[] {
  const problems: string[] = [];
  if (!config.exporters.includes('otlp')) return problems;
  let url: URL;
  try {
    url = new URL(config.tracesEndpoint);
  } catch {
    return problems;
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const why = WRONG_PORTS[port];
  if (why !== undefined) {
    problems.push(
      `the traces endpoint ${maskUrl(config.tracesEndpoint)} uses port ${port}, ${why}. ` +
        'Remedy: point OTEL_EXPORTER_OTLP_ENDPOINT at the OTLP/HTTP port, usually http://<host>:4318.',
    );
  }
  if (config.endpointSource === 'OTEL_EXPORTER_OTLP_ENDPOINT' || config.endpointSource === 'option') {
    if (/\/v1\/traces\/v1\/traces\/?$/.test(url.pathname)) {
      problems.push(
        `the traces endpoint ends in /v1/traces/v1/traces: OTEL_EXPORTER_OTLP_ENDPOINT (or the endpoint option) is a base URL and /v1/traces is appended to it. ` +
          'Remedy: drop /v1/traces from it, or set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, which is used as is.',
      );
    }
  }
  return problems;
}

/**
 * Runtime mistakes: libraries loaded (CommonJS) before tracing started, and a second, different
 * copy of @opentelemetry/api in the app. @internal
 */
export function diagnoseRuntime(appRoot: string): string[] {
  const problems: string[] = [];
  const loaded: string[] = [];
  const cacheKeys = Object.keys(localRequire.cache);
  for (const name of EARLY_MODULES) {
    const marker = join('node_modules', name) + sep;
    const nested = join('node_modules', name, 'node_modules');
    if (cacheKeys.some((key) => key.includes(marker) && !key.includes(nested))) loaded.push(name);
  }
  if (loaded.length > 0) problems.push(loadedEarlyProblem(loaded, localRequire.main === undefined, scriptName()));
  const appApi = apiCopy(createRequire(join(appRoot, 'noop.js')));
  const ourApi = apiCopy(localRequire);
  const remedy =
    `Remedy: install one supported version in the app, \`npm install @opentelemetry/api@"${SUPPORTED_API_RANGE}"\` ` +
    '(and upgrade packages that pin an older one), then `npm ls @opentelemetry/api` shows a single copy.';
  if (appApi !== undefined && ourApi !== undefined && appApi.dir !== ourApi.dir && appApi.version !== ourApi.version) {
    problems.push(
      `two copies of @opentelemetry/api: the app resolves ${appApi.version} (${appApi.dir}), tracewire uses ${ourApi.version} (${ourApi.dir}). ` +
        `Spans from code using the other copy may be lost or unlinked. ${remedy}`,
    );
  } else if (ourApi !== undefined && !isSupportedApiVersion(ourApi.version)) {
    problems.push(
      `@opentelemetry/api ${ourApi.version} (${ourApi.dir}) is outside the range tracewire and the OpenTelemetry JS 3.x SDK support (${SUPPORTED_API_RANGE}): ` +
        `spans made through it may be non-recording. ${remedy}`,
    );
  }
  return problems;
}

/**
 * The warning about libraries loaded before tracing started, with the remedy that works for the kind of app (an ES
 * module main script, or a CommonJS one). Pure. @internal
 */
export function loadedEarlyProblem(loaded: readonly string[], esmApp: boolean, script: string): string {
  const what = `${loaded.join(', ')} ${loaded.length === 1 ? 'was' : 'were'} loaded before tracing started, so ${loaded.length === 1 ? 'it' : 'they'} will not be traced.`;
  if (esmApp) {
    return (
      `${what} In an ES module app, every static import is loaded before any module body runs, initTracing()'s included, ` +
      `so importing the file that calls initTracing() first does not help. Remedy: start the app with \`node --import tracewire/register ${script}\`, ` +
      "or call initTracing() first and then load the rest of the app with `await import('./app.mjs')` (modules imported after initTracing() are traced)."
    );
  }
  return `${what} Remedy: start the app with \`node --require tracewire/register ${script}\`, or require the file that calls initTracing() before anything else.`;
}

/** The @opentelemetry/api versions tracewire works with: its peer dependency range (package.json). @internal */
export const SUPPORTED_API_RANGE = '>=1.10.0 <1.11.0';

/** Whether a version is in {@link SUPPORTED_API_RANGE} (1.10.x, pre-releases of 1.10 included). @internal */
export function isSupportedApiVersion(version: string): boolean {
  return /^1\.10\.\d+/.test(version);
}

/** Where a require function finds @opentelemetry/api, and its version; undefined when it finds none. */
function apiCopy(req: NodeJS.Require): { dir: string; version: string } | undefined {
  try {
    const entry = req.resolve('@opentelemetry/api');
    const marker = `${sep}@opentelemetry${sep}api${sep}`;
    const dir = entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1);
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
    return { dir, version };
  } catch {
    return undefined;
  }
}
