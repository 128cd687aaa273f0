// The built-in redaction patterns run in linear time: adversarial inputs of 64 KiB are scanned in well under a
// second each. This is the one test with a time bound, and it is generous on purpose: it guards against a
// catastrophic (quadratic) slowdown, which took 6 to 8 s per call here for the email pattern and 1.5 s for the JWT
// one before, not against a benchmark figure.
import { describe, expect, it } from 'vitest';
import { REDACT_PATTERNS } from '../../src/redaction/redact-patterns.js';

const N = 65_536;
const ADVERSARIAL: Record<string, string> = {
  'a run of letters': 'a'.repeat(N),
  'letters and dots': 'a.'.repeat(N / 2),
  'an address whose domain never ends in letters': `x@${'a.'.repeat(N / 2 - 1)}1`,
  'eyJ- repeated': 'eyJ-'.repeat(N / 4),
  'eyJ. repeated': 'eyJ.'.repeat(N / 4),
  'a@ repeated': 'a@'.repeat(N / 2),
  'words with dashes before @': `${'a-'.repeat(10)}@`.repeat(Math.floor(N / 21)),
  'bearer repeated': 'bearer '.repeat(N / 7),
  'a 15,000-character User-Agent': `Mozilla/5.0 ${'(KHTML, like Gecko) '.repeat(750)}`,
};

describe('redaction patterns run in linear time', () => {
  for (const [pattern, regex] of Object.entries(REDACT_PATTERNS)) {
    it.each(Object.entries(ADVERSARIAL))(`${pattern}: %s (64 KiB) in under a second`, (_, input) => {
      const t0 = performance.now();
      input.replace(regex, '[REDACTED]');
      expect(performance.now() - t0).toBeLessThan(1000);
    });
  }

  it('still finds the secrets in ordinary text', () => {
    const text = 'mail bob.smith+x@example.co.uk, auth Bearer abc.DEF-123=, token eyJhbGciOi.eyJzdWIiOi.sig-_ end';
    expect(text.replace(REDACT_PATTERNS.email, '[E]').replace(REDACT_PATTERNS.bearer, '[B]').replace(REDACT_PATTERNS.jwt, '[J]')).toBe(
      'mail [E], auth [B], token [J] end',
    );
  });
});
