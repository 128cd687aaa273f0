// Records what @opentelemetry/propagator-jaeger 2.12.0 (the last release; it has none for OpenTelemetry JS 3.x)
// injects and extracts for a fixed set of contexts, as the expected values of tracewire's own Jaeger propagator
// (test/unit/jaeger-propagator.test.ts). Run once, in a scratch folder with that package installed:
//   npm install @opentelemetry/propagator-jaeger@2.12.0 @opentelemetry/api@1.9.0 @opentelemetry/core@2.12.0
//   cp scripts/record-jaeger-propagator-fixtures.cjs into that folder; node record-jaeger-propagator-fixtures.cjs > test/unit/fixtures/jaeger-propagator-2.12.json
const { JaegerPropagator } = require('@opentelemetry/propagator-jaeger');
const { ROOT_CONTEXT, trace, propagation, defaultTextMapGetter, defaultTextMapSetter } = require('@opentelemetry/api');
const { W3CBaggagePropagator } = require('@opentelemetry/core');

const propagator = new JaegerPropagator();
const inject = [
  { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 },
  { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 0 },
  { traceId: '00000000000000008448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1 },
  {
    traceId: 'ffffffffffffffffffffffffffffffff',
    spanId: 'ffffffffffffffff',
    traceFlags: 1,
    baggage: { tenant: 'acme', note: 'a b,c;d=e', 'user-id': '42', unicode: 'café €' },
  },
].map((input) => {
  let ctx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: input.traceId,
    spanId: input.spanId,
    traceFlags: input.traceFlags,
    isRemote: false,
  });
  if (input.baggage) {
    const entries = Object.fromEntries(Object.entries(input.baggage).map(([k, v]) => [k, { value: v }]));
    ctx = propagation.setBaggage(ctx, propagation.createBaggage(entries));
  }
  const carrier = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return { input, headers: carrier };
});
const extract = [
  { 'uber-trace-id': '0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:0:01' },
  { 'uber-trace-id': '0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:0:00' },
  { 'uber-trace-id': '8448eb211c80319c:b7ad6b7169203331:0:1' },
  { 'uber-trace-id': '0af7651916cd43dd8448eb211c80319c%3Ab7ad6b7169203331%3A0%3A01' },
  { 'uber-trace-id': '1:2:0:01' },
  { 'uber-trace-id': '0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:0:05' },
  {
    'uber-trace-id': '0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:0:01',
    'uberctx-tenant': 'acme',
    'uberctx-note': 'a%20b%2Cc%3Bd%3De',
  },
].map((headers) => {
  const ctx = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const sc = trace.getSpanContext(ctx);
  const baggage = propagation.getBaggage(ctx);
  return {
    headers,
    spanContext: sc ? { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags, isRemote: sc.isRemote } : null,
    baggage: baggage ? Object.fromEntries(baggage.getAllEntries().map(([k, e]) => [k, e.value])) : null,
  };
});
void W3CBaggagePropagator;
process.stdout.write(`${JSON.stringify({ recordedWith: '@opentelemetry/propagator-jaeger@2.12.0', inject, extract }, null, 2)}\n`);
