/** `user:password@` (or `user@`) after the scheme of an absolute URL, wherever it appears in a text. */
const CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;
/** Where the authority of a URL ends (WHATWG: `\` counts as `/` in http(s) URLs). */
const AUTHORITY_END = /[/?#\\]/;
/** `key=` at the start of a list entry, when the key is a plain name (not `user:pass=word`). */
const SETTING_KEY = /^\s*[a-z_][\w.-]*\s*=/i;

/**
 * The text with the credentials of every URL in it masked (`http://user:secret@host` -> `http://***@host`), for
 * messages: a password in an endpoint URL must not reach logs. Linear in the text's length. Never throws.
 * For a value that is meant to be one URL but may be malformed, use {@link maskUrl}.
 * @internal
 */
export function maskUrlCredentials(text: string): string {
  return typeof text === 'string' ? text.replace(CREDENTIALS, '$1***@') : String(text);
}

/**
 * One URL-valued setting, valid or not, as it may be printed: whatever could be credentials is masked
 * (`http://user:secret@host:4318` -> `http://***@host:4318`, `user:secret@host` -> `***@host`,
 * `http//user:secret@host` -> `***@host`). A URL that parses loses only its `user:password@`; a value that does not
 * parse loses everything before its last `@` (after the scheme's `//` if it has one), since its password may hold
 * any character. Linear in the value's length. Never throws. @internal
 *
 * @example
 * ```ts
 * warn(`OTEL_EXPORTER_OTLP_ENDPOINT="${maskUrl(value)}" is not an http(s) URL`);
 * ```
 */
export function maskUrl(value: string): string {
  if (typeof value !== 'string') return String(value);
  const lastAt = value.lastIndexOf('@');
  if (lastAt === -1) return value;
  const slashes = value.indexOf('://');
  const start = slashes !== -1 && slashes < lastAt ? slashes + 3 : 0;
  if (start > 0 && URL.canParse(value)) {
    const url = new URL(value);
    if (url.username === '' && url.password === '') return value;
    const rest = value.slice(start);
    const end = rest.search(AUTHORITY_END);
    const at = (end === -1 ? rest : rest.slice(0, end)).lastIndexOf('@');
    if (at !== -1) return `${value.slice(0, start)}***${rest.slice(at)}`;
  }
  return `${value.slice(0, start)}***${value.slice(lastAt)}`;
}

/**
 * A comma-separated list whose entries are URLs or `key=URL` settings (`TRACEWIRE_PROPAGATE_TO`,
 * `OTEL_TRACES_SAMPLER_ARG`), each URL masked with {@link maskUrl}. Never throws. @internal
 */
export function maskUrlList(value: string): string {
  if (typeof value !== 'string') return String(value);
  if (!value.includes('@')) return value;
  return value
    .split(',')
    .map((entry) => {
      const key = SETTING_KEY.exec(entry);
      return key === null ? maskUrl(entry) : `${key[0]}${maskUrl(entry.slice(key[0].length))}`;
    })
    .join(',');
}
