// The OTLP trace schema for tests, loaded with protobufjs from the .proto files in otlp-proto/ (written from the
// OTLP specification): an independent decoder, sharing no code with tracewire's encoder or the stock one.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs') as typeof Protobuf;

// tracewire encodes AnyValues up to 32 levels deep (each level is three nested messages); the Collector's Go decoder
// takes far deeper messages than protobufjs's default limit of 100.
protobuf.util.recursionLimit = 1000;
protobuf.Reader.recursionLimit = 1000;

const dir = fileURLToPath(new URL('./otlp-proto/', import.meta.url));
const root = new protobuf.Root().loadSync(
  ['common.proto', 'resource.proto', 'trace.proto', 'trace_service.proto'].map((f) => dir + f),
  { keepCase: false },
);
/** The message types by their full names, as the generated modules of opentelemetry-proto expose them. */
export const otlpRoot = {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest') } },
      },
    },
  },
};
