import { propagation, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed, W3CBaggagePropagator } from '@opentelemetry/core';

/** The W3C Baggage header. */
const BAGGAGE_HEADER = 'baggage';
/** The limits the stock propagator applies: 180 list members, 4096 characters per member, 8192 in all. */
const MAX_MEMBERS = 180;
const MAX_MEMBER_LENGTH = 4096;
const MAX_LENGTH = 8192;
/** A key (and a property key) is an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Characters a baggage value may hold unencoded (baggage-octet), besides `%` which starts an escape. */
const NOT_BAGGAGE_OCTET = /[^\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]/g;

/** `value` as a baggage-octet string: UTF-8 percent-encoding of every character the spec does not allow, and of `%`. */
function encodeValue(value: string): string {
  return value.replace(/%/g, '%25').replace(NOT_BAGGAGE_OCTET, (c) => encodeURIComponent(c));
}

/**
 * One metadata property (`key` or `key=value`) made valid, or undefined when its key cannot be: values are
 * percent-encoded like entry values.
 */
function encodeProperty(property: string): string | undefined {
  const eq = property.indexOf('=');
  const key = (eq === -1 ? property : property.slice(0, eq)).trim();
  if (!TOKEN.test(key)) return undefined;
  return eq === -1 ? key : `${key}=${encodeValue(property.slice(eq + 1).trim())}`;
}

/** The metadata of an entry as `;`-separated valid properties (invalid ones left out), or '' for none. */
function encodeMetadata(metadata: string): string {
  let out = '';
  for (const property of metadata.split(';')) {
    if (property.trim() === '') continue;
    const encoded = encodeProperty(property);
    if (encoded !== undefined) out += `;${encoded}`;
  }
  return out;
}

/** One list member as the stock propagator writes it, with its metadata made valid; undefined if it cannot be encoded. */
function member(key: string, value: string, metadata: string | undefined): string | undefined {
  try {
    // encodeURIComponent only writes characters a header value may hold (it throws on a lone surrogate).
    const pair = `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
    return metadata === undefined ? pair : pair + encodeMetadata(metadata);
  } catch {
    return undefined;
  }
}

/**
 * The W3C Baggage propagator (`OTEL_PROPAGATORS=baggage`): extraction is the stock one; injection writes what the
 * stock one writes (keys and values percent-encoded, members over 4096 characters left out, at most 180 members and
 * 8192 characters), except that the header is always a valid HTTP header value whatever the baggage holds (from a
 * Buffer carrier, non-ASCII text, control characters): metadata property values are percent-encoded (UTF-8) and
 * properties whose key is not a token are left out, and an entry that cannot be encoded (a lone surrogate) is left
 * out. The stock propagator writes metadata as it is, and Node.js's fetch then throws `invalid baggage header` from
 * inside the undici instrumentation's diagnostics-channel subscriber, where the app cannot catch it.
 * @internal
 */
export class BaggagePropagator implements TextMapPropagator {
  private readonly stock = new W3CBaggagePropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(context);
    if (baggage === undefined || isTracingSuppressed(context)) return;
    let header = '';
    let members = 0;
    for (const [key, entry] of baggage.getAllEntries()) {
      if (members >= MAX_MEMBERS) break;
      if (typeof key !== 'string' || typeof entry?.value !== 'string') continue;
      const metadata = entry.metadata?.toString();
      const encoded = member(key, entry.value, typeof metadata === 'string' ? metadata : undefined);
      if (encoded === undefined || encoded.length > MAX_MEMBER_LENGTH) continue;
      members++;
      const next = header === '' ? encoded : `${header},${encoded}`;
      if (next.length <= MAX_LENGTH) header = next;
    }
    if (header !== '') setter.set(carrier, BAGGAGE_HEADER, header);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.stock.extract(context, carrier, getter);
  }

  fields(): string[] {
    return [BAGGAGE_HEADER];
  }
}
