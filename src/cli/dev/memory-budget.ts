import type { AssemblerLimit } from './trace-assembler.js';

const MiB = 1024 * 1024;
/** Spans waiting to be printed, in all traces. @internal */
export const MAX_PENDING_SPANS = 100_000;
/** Spans kept of one trace. @internal */
export const MAX_TRACE_SPANS = 10_000;

/** How `--max-memory` is shared out, bytes. @internal */
export interface MemoryBudget {
  readonly totalMiB: number;
  readonly uploadBytes: number;
  readonly pendingBytes: number;
  readonly traceBytes: number;
  readonly rememberedBytes: number;
  readonly forwardBytes: number;
  readonly jsonlBytes: number;
  /** The viewer's traces (in addition to the above: a quarter more). */
  readonly viewerBytes: number;
}

/**
 * A quarter for uploads in flight, half for traces waiting (an eighth per trace), an eighth for printed ones
 * remembered, a sixteenth each for forwarding and `--jsonl`; the viewer's traces, when it runs, a quarter more. Pure. @internal
 *
 * @example
 * ```ts
 * memoryBudget(256).uploadBytes; // 64 MiB
 * ```
 */
export function memoryBudget(totalMiB: number): MemoryBudget {
  const total = totalMiB * MiB;
  return {
    totalMiB,
    uploadBytes: total / 4,
    pendingBytes: total / 2,
    traceBytes: total / 8,
    rememberedBytes: total / 8,
    forwardBytes: total / 16,
    jsonlBytes: total / 16,
    viewerBytes: total / 4,
  };
}

/** The line said (once) when the trace assembler reaches one of its limits, with its remedy. Pure. @internal */
export function limitMessage(limit: AssemblerLimit, traceId: string, budget: MemoryBudget): string {
  if (limit === 'trace') {
    return `trace ${traceId} has more than ${MAX_TRACE_SPANS} spans or ${budget.traceBytes / MiB} MiB, its fair share: the rest of it is dropped; it is printed with what was kept (--forward sends all of it to a backend, --max-memory raises the byte limit)`;
  }
  if (limit === 'evicted') {
    return `the traces waiting to be printed reached ${MAX_PENDING_SPANS} spans or ${budget.pendingBytes / MiB} MiB: trace ${traceId}, the oldest, was printed early, before it was complete (--max-memory raises the byte limit, a shorter --quiet prints traces sooner)`;
  }
  return `a span of trace ${traceId} was dropped: no room among the traces waiting to be printed (--max-memory raises the limit)`;
}
