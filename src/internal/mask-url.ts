/** `user:password@` (or `user@`) after the scheme of an absolute URL, wherever it appears in a text. */
const CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/**
 * The text with the credentials of every URL in it masked (`http://user:secret@host` -> `http://***@host`), for
 * messages: a password in an endpoint URL must not reach logs. Linear in the text's length. Never throws.
 * @internal
 */
export function maskUrlCredentials(text: string): string {
  return typeof text === 'string' ? text.replace(CREDENTIALS, '$1***@') : String(text);
}
