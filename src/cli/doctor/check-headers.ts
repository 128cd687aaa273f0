import type { DoctorCheck } from './doctor-check.js';

/** Characters Node.js refuses in a header value (as `http.OutgoingMessage#setHeader` checks them). */
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
/** A header name is an HTTP token (RFC 9110), as Node.js checks it. */
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;

/** A character as it can be printed safely: `\n`, `\u0000`, … */
function describeChar(char: string): string {
  return JSON.stringify(char).slice(1, -1);
}

/**
 * `tracewire doctor`'s check of the OTLP headers before anything is sent: a header Node.js would refuse makes every
 * export of the app fail. Names the header, the position and the kind of the offending character, never the value
 * (it is usually a token). Undefined when every header can be sent. Pure. @internal
 *
 * @example
 * ```ts
 * checkHeaders({ authorization: 'Bearer abc\n' });
 * // { ok: false, title: 'the value of header "authorization" (OTEL_EXPORTER_OTLP_HEADERS) has a control character (\\n at position 11) …', … }
 * ```
 */
export function checkHeaders(headers: Readonly<Record<string, string>>): DoctorCheck | undefined {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) {
      problems.push(`the header name ${JSON.stringify(name)} is not a valid HTTP header name`);
      continue;
    }
    const bad = INVALID_VALUE_CHAR.exec(value);
    if (bad !== null)
      problems.push(
        `the value of header "${name}" has a control character (${describeChar(bad[0])} at position ${bad.index + 1} of ${value.length}; value not shown)`,
      );
  }
  if (problems.length === 0) return undefined;
  return {
    ok: false,
    title: `OTEL_EXPORTER_OTLP_HEADERS (or the headers option): ${problems.join('; ')}. Node.js refuses to send such a header, so every export of the app fails too`,
    remedy:
      'remove the character from the value (a trailing newline often comes from a file or secret read into the variable); percent-encode spaces and commas as %20 and %2C.',
  };
}
