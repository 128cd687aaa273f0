import { maskUrl } from '../internal/mask-url.js';
import type { ResolvedConfig } from './types.js';

/**
 * The resolved config as printed at debug level and by `tracewire doctor`: header values redacted, credentials in
 * URLs masked (`http://***@host`), instances named.
 * @internal
 *
 * @example
 * ```ts
 * console.log(describeConfig(resolveConfig({}, process.env).config));
 * ```
 */
export function describeConfig(config: ResolvedConfig): string {
  const name = (v: unknown): unknown => (typeof v === 'object' && v !== null ? `<${v.constructor?.name ?? 'instance'}>` : v);
  const redacted: Record<string, string> = {};
  for (const key of Object.keys(config.headers)) redacted[key] = '[REDACTED]';
  return JSON.stringify(
    {
      ...config,
      tracesEndpoint: maskUrl(config.tracesEndpoint),
      headers: redacted,
      exporters: config.exporters.map(name),
      sampler: name(config.sampler),
      samplerArg:
        typeof config.samplerArg === 'object' ? { ...config.samplerArg, endpoint: maskUrl(config.samplerArg.endpoint) } : config.samplerArg,
      propagators: config.propagators.map(name),
      instrumentations: config.instrumentations.map(name),
      spanProcessors: config.spanProcessors.map(name),
      redaction: config.redaction === false ? false : { keys: config.redaction.keys, patterns: config.redaction.patterns.map(String) },
      propagateTo: config.propagateTo?.map((d) => (typeof d === 'string' ? maskUrl(d) : String(d))) ?? 'everywhere',
      spanLimits: { ...config.spanLimits, attributeValueLengthLimit: String(config.spanLimits.attributeValueLengthLimit) },
    },
    null,
    2,
  );
}
