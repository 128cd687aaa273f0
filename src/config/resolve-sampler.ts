import type { Sampler } from '@opentelemetry/sdk-trace';
import { maskUrl, maskUrlList } from '../internal/mask-url.js';
import type { EnvReader } from './env.js';
import { defineSection } from './option-reader.js';
import { integerIn, isHttpUrl, MAX_INT } from './validators.js';
import type { JaegerRemoteOptions, ResolvedConfig, SamplerName } from './types.js';

/** @internal */
export const SAMPLER_NAMES: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'ratelimiting',
  'parentbased_ratelimiting',
  'jaeger_remote',
  'parentbased_jaeger_remote',
];

const FALLBACK: SamplerName = 'parentbased_always_on';
/** Traces per second of the rate-limiting samplers when no argument is given (the seeds' "max 100 traces per second"). */
const DEFAULT_TRACES_PER_SECOND = 100;
/** Defaults of OTEL_TRACES_SAMPLER_ARG for jaeger_remote: Jaeger's sampling port, and the spec's interval and rate. */
export const JAEGER_REMOTE_DEFAULTS: Readonly<Required<JaegerRemoteOptions>> = Object.freeze({
  endpoint: 'http://localhost:5778',
  pollingIntervalMs: 60_000,
  initialSamplingRate: 0.001,
});

type Kind = 'ratio' | 'rate' | 'jaeger' | 'none';

function kindOf(name: SamplerName): Kind {
  if (name.endsWith('traceidratio')) return 'ratio';
  if (name.endsWith('ratelimiting')) return 'rate';
  if (name.endsWith('jaeger_remote')) return 'jaeger';
  return 'none';
}

const isRatio = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;
const isRate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isInterval = integerIn(1, MAX_INT);
const JAEGER_CHECKS: Record<
  keyof JaegerRemoteOptions,
  { check: (v: unknown) => boolean; expected: string; parse: (raw: string) => unknown }
> = {
  endpoint: { check: isHttpUrl, expected: 'an http(s) URL', parse: (raw) => raw.replace(/\/+$/, '') },
  pollingIntervalMs: { check: isInterval, expected: 'a positive integer (ms)', parse: Number },
  initialSamplingRate: { check: isRatio, expected: 'a number between 0 and 1', parse: Number },
};
const JAEGER_KEYS = Object.keys(JAEGER_CHECKS) as Array<keyof JaegerRemoteOptions>;

/** Jaeger remote settings from code: every problem goes to `errors`. */
function jaegerFromOption(value: unknown, errors: string[]): Required<JaegerRemoteOptions> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(
      `samplerArg: expected an object { endpoint, pollingIntervalMs, initialSamplingRate } for a jaeger_remote sampler, got ${JSON.stringify(value) ?? String(value)}`,
    );
    return undefined;
  }
  const settings: Record<string, unknown> = { ...JAEGER_REMOTE_DEFAULTS };
  let ok = true;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const rule = JAEGER_CHECKS[key as keyof JaegerRemoteOptions];
    if (rule === undefined) {
      errors.push(`samplerArg.${key}: unknown setting (expected ${JAEGER_KEYS.join(', ')})`);
      ok = false;
    } else if (v !== undefined && !rule.check(v)) {
      const shown = key === 'endpoint' && typeof v === 'string' ? maskUrl(v) : v;
      errors.push(`samplerArg.${key}: expected ${rule.expected}, got ${JSON.stringify(shown) ?? String(shown)}`);
      ok = false;
    } else if (v !== undefined) {
      settings[key] = key === 'endpoint' ? (v as string).replace(/\/+$/, '') : v;
    }
  }
  return ok ? (Object.freeze(settings) as Required<JaegerRemoteOptions>) : undefined;
}

/** Jaeger remote settings from OTEL_TRACES_SAMPLER_ARG: a bad or unknown entry warns and keeps that setting's default. */
function jaegerFromEnv(raw: string, e: EnvReader): Required<JaegerRemoteOptions> {
  const settings: Record<string, unknown> = { ...JAEGER_REMOTE_DEFAULTS };
  // The endpoint may hold credentials: warnings show the value with them masked.
  const shown = maskUrlList(raw);
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const key = (eq > 0 ? entry.slice(0, eq) : entry).trim();
    const text = eq > 0 ? entry.slice(eq + 1).trim() : '';
    const rule = JAEGER_CHECKS[key as keyof JaegerRemoteOptions];
    if (rule === undefined) {
      e.warn(
        'OTEL_TRACES_SAMPLER_ARG',
        shown,
        `has an unknown entry "${maskUrlList(entry.trim())}" (expected ${JAEGER_KEYS.map((k) => `${k}=`).join(', ')})`,
        'the other entries',
      );
      continue;
    }
    const value = rule.parse(text);
    if (text === '' || !rule.check(value)) {
      e.warn(
        'OTEL_TRACES_SAMPLER_ARG',
        shown,
        `has ${key}="${maskUrl(text)}", which is not ${rule.expected}`,
        `${key}=${String(JAEGER_REMOTE_DEFAULTS[key as keyof JaegerRemoteOptions])}`,
      );
      continue;
    }
    settings[key] = value;
  }
  return Object.freeze(settings) as Required<JaegerRemoteOptions>;
}

function defaultArg(kind: Kind): ResolvedConfig['samplerArg'] {
  if (kind === 'rate') return DEFAULT_TRACES_PER_SECOND;
  if (kind === 'jaeger') return JAEGER_REMOTE_DEFAULTS;
  return 1;
}

/**
 * Resolves `sampler` and `samplerArg` (options in code > OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG > defaults).
 * Bad options in code go to `errors`; a bad environment value warns and falls back to parentbased_always_on
 * (for a jaeger_remote argument, to that setting's default). Pure. @internal
 */
export function resolveSampler(
  samplerOption: unknown,
  argOption: unknown,
  e: EnvReader,
  errors: string[],
): Pick<ResolvedConfig, 'sampler' | 'samplerArg'> {
  let sampler: SamplerName | Sampler | undefined;
  if (samplerOption !== undefined) {
    const isInstance =
      typeof samplerOption === 'object' && samplerOption !== null && typeof (samplerOption as Sampler).shouldSample === 'function';
    if (isInstance || SAMPLER_NAMES.includes(samplerOption as SamplerName)) sampler = samplerOption as SamplerName | Sampler;
    else
      errors.push(
        `sampler: expected one of ${SAMPLER_NAMES.join(', ')} or a Sampler instance, got ${JSON.stringify(samplerOption) ?? String(samplerOption)}`,
      );
  } else {
    sampler = e.enumValue(['OTEL_TRACES_SAMPLER'], SAMPLER_NAMES, FALLBACK);
  }
  sampler ??= FALLBACK;
  if (typeof sampler !== 'string') {
    if (argOption !== undefined) errors.push('samplerArg: only applies to a sampler given by name; configure the Sampler instance itself');
    return { sampler, samplerArg: 1 };
  }
  const kind = kindOf(sampler);

  if (argOption !== undefined) {
    if (kind === 'ratio' && !isRatio(argOption))
      errors.push(`samplerArg: expected a number between 0 and 1 for ${sampler}, got ${JSON.stringify(argOption)}`);
    else if (kind === 'rate' && !isRate(argOption))
      errors.push(`samplerArg: expected a positive number of traces per second for ${sampler}, got ${JSON.stringify(argOption)}`);
    else if (kind === 'jaeger') {
      const settings = jaegerFromOption(argOption, errors);
      return { sampler, samplerArg: settings ?? JAEGER_REMOTE_DEFAULTS };
    } else if (kind === 'none')
      errors.push(
        `samplerArg: ${sampler} takes no argument (for a ratio use sampler 'parentbased_traceidratio', for traces per second 'parentbased_ratelimiting')`,
      );
    else return { sampler, samplerArg: argOption as number };
    return { sampler, samplerArg: defaultArg(kind) };
  }

  const raw = kind === 'none' ? undefined : e.raw('OTEL_TRACES_SAMPLER_ARG');
  if (raw === undefined) return { sampler, samplerArg: defaultArg(kind) };
  if (kind === 'jaeger') return { sampler, samplerArg: jaegerFromEnv(raw, e) };
  const n = Number(raw);
  if (kind === 'ratio' ? isRatio(n) : isRate(n)) return { sampler, samplerArg: n };
  const expected = kind === 'ratio' ? 'a number between 0 and 1' : 'a positive number of traces per second';
  e.warn('OTEL_TRACES_SAMPLER_ARG', maskUrlList(raw), `is not ${expected} (for ${sampler})`, FALLBACK);
  return { sampler: FALLBACK, samplerArg: 1 };
}

/** The sampler section: `sampler` and `samplerArg` (see {@link resolveSampler}). @internal */
export const samplerSection = defineSection(['sampler', 'samplerArg'], (r) =>
  resolveSampler(r.raw('sampler'), r.raw('samplerArg'), r.env, r.errors),
);
