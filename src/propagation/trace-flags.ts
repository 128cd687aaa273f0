/**
 * The `random-trace-id` flag of W3C Trace Context Level 2 (bit 1 of trace-flags): at least the right-most 7 bytes of
 * the trace id are random. Set on the trace ids tracewire makes, and kept on the traces it continues. @internal
 */
export const RANDOM_TRACE_ID_FLAG = 0x02;

/**
 * The trace-flags bits Trace Context Level 2 defines (sampled, random-trace-id). The others are reserved: they are
 * ignored when received and sent as zero ("Vendors MUST set those to zero"). @internal
 */
export const KNOWN_TRACE_FLAGS = 0x03;
