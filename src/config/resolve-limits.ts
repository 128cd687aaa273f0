import { defineSection } from './option-reader.js';
import { integerIn, isPlainObject } from './validators.js';

const DEFAULT_LIMIT = 128;

/**
 * Span limits: `spanLimits.*` from code > the specific OTEL_SPAN_* / OTEL_EVENT_* / OTEL_LINK_* variable > the general
 * OTEL_ATTRIBUTE_* one > the spec's defaults (128; no limit on attribute value length).
 * @internal
 */
export const limitsSection = defineSection(['spanLimits'], (r) => {
  const limitsOpt = r.get<Record<string, unknown>>('spanLimits', isPlainObject, 'an object') ?? {};
  const limit = (key: string, envNames: string[], def: number): number => {
    const v = limitsOpt[key];
    if (v !== undefined) {
      if (integerIn(0, Number.MAX_SAFE_INTEGER)(v) || v === Infinity) return v as number;
      r.errors.push(`spanLimits.${key}: expected a non-negative integer, got ${JSON.stringify(v)}`);
    }
    return r.env.integer(envNames, 0, Number.MAX_SAFE_INTEGER, def === Infinity ? 'no limit' : `${def}`) ?? def;
  };
  return {
    spanLimits: Object.freeze({
      attributeCountLimit: limit('attributeCountLimit', ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'], DEFAULT_LIMIT),
      attributeValueLengthLimit: limit(
        'attributeValueLengthLimit',
        ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'],
        Infinity,
      ),
      eventCountLimit: limit('eventCountLimit', ['OTEL_SPAN_EVENT_COUNT_LIMIT'], DEFAULT_LIMIT),
      linkCountLimit: limit('linkCountLimit', ['OTEL_SPAN_LINK_COUNT_LIMIT'], DEFAULT_LIMIT),
      attributePerEventCountLimit: limit('attributePerEventCountLimit', ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'], DEFAULT_LIMIT),
      attributePerLinkCountLimit: limit('attributePerLinkCountLimit', ['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT'], DEFAULT_LIMIT),
    }),
  };
});
