import { DEFAULT_REDACT_KEYS, REDACT_PATTERN_NAMES, REDACT_PATTERNS } from '../redaction/redact-patterns.js';
import { defineSection } from './option-reader.js';
import type { RedactPatternName, ResolvedRedaction } from './types.js';
import { isNonEmptyString, isPlainObject } from './validators.js';

/** The same pattern with the g flag, so every occurrence is replaced. */
function toGlobal(pattern: RegExp): RegExp {
  return pattern.flags.includes('g') ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
}

/**
 * Redaction: the default secret keys, plus keys and patterns from `redact` in code and from TRACEWIRE_REDACT_KEYS /
 * TRACEWIRE_REDACT_PATTERNS (both add); `redact: false` turns it off.
 * @internal
 */
export const redactionSection = defineSection(['redact'], (r) => {
  const redactOpt = r.get<false | Record<string, unknown>>(
    'redact',
    (v) => v === false || isPlainObject(v),
    'false or an object { keys, patterns }',
  );
  if (redactOpt === false) return { redaction: false as const };
  const keys = new Set<string>(DEFAULT_REDACT_KEYS);
  const patterns: RegExp[] = [];
  const addPattern = (p: RegExp): void => {
    if (!patterns.some((q) => q.source === p.source && q.flags === p.flags)) patterns.push(p);
  };
  const codeKeys = redactOpt?.keys;
  if (codeKeys !== undefined) {
    if (Array.isArray(codeKeys) && codeKeys.every(isNonEmptyString)) for (const k of codeKeys) keys.add(k.trim().toLowerCase());
    else r.errors.push(`redact.keys: expected an array of non-empty strings, got ${JSON.stringify(codeKeys)}`);
  }
  const codePatterns = redactOpt?.patterns;
  if (codePatterns !== undefined) {
    const ok =
      Array.isArray(codePatterns) &&
      codePatterns.every((p) => p instanceof RegExp || REDACT_PATTERN_NAMES.includes(p as RedactPatternName));
    if (ok)
      for (const p of codePatterns as Array<RegExp | RedactPatternName>) addPattern(p instanceof RegExp ? toGlobal(p) : REDACT_PATTERNS[p]);
    else r.errors.push(`redact.patterns: expected an array of ${REDACT_PATTERN_NAMES.join(', ')} or RegExps, got ${String(codePatterns)}`);
  }
  if (redactOpt !== undefined) {
    for (const key of Object.keys(redactOpt))
      if (key !== 'keys' && key !== 'patterns') r.errors.push(`redact.${key}: unknown option (known: keys, patterns)`);
  }
  for (const k of r.env.list('TRACEWIRE_REDACT_KEYS') ?? []) keys.add(k.toLowerCase());
  const envPatterns = r.env.names('TRACEWIRE_REDACT_PATTERNS', REDACT_PATTERN_NAMES, 'pattern(s)', (known) => known.join(',') || 'none');
  for (const name of envPatterns ?? []) addPattern(REDACT_PATTERNS[name]);
  const redaction: ResolvedRedaction = Object.freeze({ keys: Object.freeze([...keys]), patterns: Object.freeze(patterns) });
  return { redaction };
});
