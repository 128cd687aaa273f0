import { maskUrlCredentials } from '../internal/mask-url.js';
import type { Env } from './env.js';
import { OptionReader } from './option-reader.js';
import { batchSection } from './resolve-batch.js';
import { exporterSection } from './resolve-exporter.js';
import { generalSection } from './resolve-general.js';
import { instrumentationsSection } from './resolve-instrumentations.js';
import { limitsSection } from './resolve-limits.js';
import { propagationSection } from './resolve-propagation.js';
import { redactionSection } from './resolve-redaction.js';
import { resourceSection } from './resolve-resource.js';
import { samplerSection } from './resolve-sampler.js';
import { shutdownSection } from './resolve-shutdown.js';
import type { ConfigResolution, ResolvedConfig, TracewireOptions } from './types.js';
import { isPlainObject } from './validators.js';

/** The sections, in the order they resolve (and so the order of their errors and warnings). */
const SECTIONS = [
  generalSection,
  resourceSection,
  exporterSection,
  samplerSection,
  propagationSection,
  instrumentationsSection,
  batchSection,
  limitsSection,
  redactionSection,
  shutdownSection,
] as const;

/** Every option of TracewireOptions is read by a section: an option added to the type and to no section fails to compile. */
type Unresolved = Exclude<keyof TracewireOptions, (typeof SECTIONS)[number]['options'][number]>;
const EVERY_OPTION_RESOLVED: [Unresolved] extends [never] ? true : { unresolved: Unresolved } = true;

/** The option names a section reads; any other key given in code is an error. */
const KNOWN_OPTIONS: ReadonlySet<string> = EVERY_OPTION_RESOLVED && new Set<string>(SECTIONS.flatMap((section) => section.options));

/**
 * Resolves the configuration: options in code win over OTEL_* environment variables, which win over defaults.
 * Pure: it reads only its arguments and never touches `process.env`.
 *
 * @example
 * ```ts
 * const { config, errors, warnings } = resolveConfig({ serviceName: 'api' }, process.env);
 * ```
 */
export function resolveConfig(options: TracewireOptions = {}, env: Env = {}): ConfigResolution {
  const given = isPlainObject(options);
  const reader = new OptionReader(given ? options : {}, env);
  if (!given) reader.errors.push(`options must be an object, got ${typeof options}`);

  const general = generalSection.resolve(reader);
  const resource = resourceSection.resolve(reader);
  const exporter = exporterSection.resolve(reader);
  const sampler = samplerSection.resolve(reader);
  const propagation = propagationSection.resolve(reader);
  const instrumentations = instrumentationsSection.resolve(reader);
  const batch = batchSection.resolve(reader);
  const limits = limitsSection.resolve(reader);
  const redaction = redactionSection.resolve(reader);
  const shutdown = shutdownSection.resolve(reader);
  if (given) for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key)) reader.errors.push(`${key}: unknown option`);

  const config: ResolvedConfig = Object.freeze({
    ...general,
    ...resource,
    ...exporter,
    ...sampler,
    ...propagation,
    ...instrumentations,
    ...batch,
    ...limits,
    ...redaction,
    ...shutdown,
  });
  // Every message may be printed: no URL in it shows its credentials (those of invalid URLs are masked where read).
  return Object.freeze({
    config,
    errors: Object.freeze(reader.errors.map(maskUrlCredentials)),
    warnings: Object.freeze(reader.env.warnings.map(maskUrlCredentials)),
  });
}
