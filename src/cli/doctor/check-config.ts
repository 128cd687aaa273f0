import type { ConfigResolution } from '../../config/types.js';
import { maskUrl } from '../../internal/mask-url.js';
import { diagnoseConfig } from '../../config/diagnose-config.js';
import type { DoctorCheck } from './doctor-check.js';

/**
 * The checks `tracewire doctor` makes on a resolved configuration, without touching the network: environment values
 * that were ignored, OTEL_SDK_DISABLED, an exporter list without otlp, samplers that send nothing, and the port and
 * path mistakes {@link diagnoseConfig} knows (gRPC 4317, Jaeger 14250/14268/16686, Tempo 3200, /v1/traces twice).
 * Pure. @internal
 *
 * @example
 * ```ts
 * checkConfig(resolveConfig({}, process.env)).filter((c) => !c.ok);
 * ```
 */
export function checkConfig(resolution: ConfigResolution): DoctorCheck[] {
  const { config, warnings } = resolution;
  const checks: DoctorCheck[] = [];
  for (const warning of warnings) {
    checks.push({
      ok: false,
      title: `environment: ${warning}`,
      remedy: 'fix or unset that variable; until then the fallback named above is used.',
    });
  }
  if (warnings.length === 0) checks.push({ ok: true, title: 'every OTEL_* variable set is valid' });

  if (config.disabled) {
    checks.push({
      ok: false,
      title: 'OTEL_SDK_DISABLED=true: tracing is turned off, nothing is recorded or sent',
      remedy: 'unset OTEL_SDK_DISABLED (or set it to false).',
    });
  } else checks.push({ ok: true, title: 'tracing is enabled (OTEL_SDK_DISABLED is not true)' });

  if (!config.exporters.includes('otlp')) {
    const names = config.exporters.map((e) => (typeof e === 'string' ? e : (e.constructor?.name ?? 'instance')));
    checks.push({
      ok: false,
      title: `OTEL_TRACES_EXPORTER does not include otlp (exporters: ${names.join(', ') || 'none'}): no span is sent to a backend`,
      remedy: 'set OTEL_TRACES_EXPORTER=otlp (or unset it).',
    });
  } else checks.push({ ok: true, title: 'spans are exported over OTLP/HTTP' });

  const sampler = config.sampler;
  if (sampler === 'always_off' || sampler === 'parentbased_always_off') {
    checks.push({
      ok: false,
      title: `sampler ${sampler}: no trace is sampled${sampler === 'parentbased_always_off' ? ' unless an incoming request carries a sampled parent' : ''}, so nothing is sent`,
      remedy: 'unset OTEL_TRACES_SAMPLER, or use parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0.1 to keep 10%.',
    });
  } else if (typeof sampler === 'string' && sampler.endsWith('traceidratio') && config.samplerArg === 0) {
    checks.push({
      ok: false,
      title: `sampler ${sampler} with ratio 0 (OTEL_TRACES_SAMPLER_ARG=0): no trace is sampled, so nothing is sent`,
      remedy: 'set OTEL_TRACES_SAMPLER_ARG to a ratio above 0, e.g. 0.1 for 10% or 1 for every trace.',
    });
  } else {
    const ratio = typeof sampler === 'string' && sampler.endsWith('traceidratio') ? ` (ratio ${String(config.samplerArg)})` : '';
    checks.push({
      ok: true,
      title: `sampler ${typeof sampler === 'string' ? sampler : (sampler.constructor?.name ?? 'instance')}${ratio} samples traces`,
    });
  }

  if (config.exporters.includes('otlp')) {
    const problems = diagnoseConfig(config);
    for (const problem of problems) {
      const split = problem.indexOf(' Remedy: ');
      checks.push(
        split === -1
          ? { ok: false, title: problem, remedy: 'see the message.' }
          : { ok: false, title: problem.slice(0, split), remedy: problem.slice(split + ' Remedy: '.length) },
      );
    }
    if (problems.length === 0)
      checks.push({ ok: true, title: `the endpoint's port and path look like an OTLP/HTTP receiver (${maskUrl(config.tracesEndpoint)})` });
  }
  return checks;
}
