// tracewire's W3C baggage injection: the stock header for ordinary baggage, and always a valid header value.
import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, baggageEntryMetadataFromString } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BaggagePropagator } from '../../src/propagation/baggage-propagator.js';

const ours = new BaggagePropagator();
const stock = new W3CBaggagePropagator();
const inject = (p: { inject: BaggagePropagator['inject'] }, entries: Record<string, { value: string; metadata?: string }>) => {
  const baggage = propagation.createBaggage(
    Object.fromEntries(
      Object.entries(entries).map(([k, e]) => [
        k,
        { value: e.value, ...(e.metadata === undefined ? {} : { metadata: baggageEntryMetadataFromString(e.metadata) }) },
      ]),
    ),
  );
  const carrier: Record<string, string> = {};
  p.inject(propagation.setBaggage(ROOT_CONTEXT, baggage), carrier, defaultTextMapSetter);
  return carrier;
};
/** What node:http and undici accept in a header value: visible ASCII, space and tab. */
const VALID_HEADER_VALUE = /^[\t\x20-\x7e]*$/;

describe('baggage injection', () => {
  it('writes the stock header for ordinary baggage (keys and values percent-encoded, valid metadata kept)', () => {
    const entries = { tenant: { value: 'acme' }, 'user id': { value: 'a b,c;d=é' }, feature: { value: 'on', metadata: 'ttl=60;internal' } };
    expect(inject(ours, entries)).toEqual(inject(stock, entries));
  });

  it('percent-encodes metadata values and leaves out properties whose key is not a token', () => {
    const header = inject(ours, { tenant: { value: 'acme', metadata: 'note=café €;bad key=1;ok' } }).baggage!;
    expect(header).toBe('tenant=acme;note=caf%C3%A9%20%E2%82%AC;ok');
    expect(header).toMatch(VALID_HEADER_VALUE);
  });

  it('leaves out an entry that cannot be encoded (a lone surrogate), keeps the others', () => {
    expect(inject(ours, { bad: { value: '\ud800' }, good: { value: 'x' } })).toEqual({ baggage: 'good=x' });
  });

  it('property: any keys, values and metadata give a valid header value that extracts without throwing', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ unit: 'binary', maxLength: 12 }),
          fc.record({
            value: fc.string({ unit: 'binary', maxLength: 20 }),
            metadata: fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: undefined }),
          }),
          { maxKeys: 8 },
        ),
        (entries) => {
          const carrier = inject(ours, entries);
          if (carrier.baggage !== undefined) {
            expect(carrier.baggage).toMatch(VALID_HEADER_VALUE);
            expect(() => ours.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter)).not.toThrow();
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
