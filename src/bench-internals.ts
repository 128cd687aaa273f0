// Internals the benchmarks in bench/ measure against their stock counterparts. Built as dist/bench-internals.js,
// deliberately not listed in package.json "exports": not a public API, no compatibility promise.
/** @internal */
export { serializeSpans } from './export/otlp-proto/serialize-spans.js';
