import {
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Exception,
  type Link,
  type Span,
  type SpanContext,
  type SpanStatus,
  type TimeInput,
  type TraceState,
} from '@opentelemetry/api';
import { bigEndian, hexOfWord, newSpanId, takeWords, word } from './pooled-id-generator.js';

/**
 * The span of a sampling decision "drop", as the API's non-recording span, except that its ids are only made when
 * someone asks for its context (to propagate it, or for a child). Until then it holds its parent's trace id, or,
 * for a new trace, the random number the ratio rule decided on: the accumulation (XOR of the four big-endian
 * 32-bit words) its trace id will have. The id is then drawn as three random words and a fourth that gives that
 * accumulation, which keeps it uniformly random and consistent with the decision. Every method is a no-op.
 * @internal
 */
export class UnsampledSpan implements Span {
  private context: SpanContext | undefined = undefined;

  constructor(
    private traceId: string | undefined,
    private readonly accumulation: number,
    private readonly traceState: TraceState | undefined,
    /** The random-trace-id flag (0x02 or 0): the parent's, or set for a trace id drawn from the pool. */
    private readonly randomFlag: number,
  ) {}

  /** An unsampled child in the same trace: it shares this span's trace id, made now. */
  child(): UnsampledSpan {
    return new UnsampledSpan(this.traceIdOf(), 0, this.traceState, this.randomFlag);
  }

  /** The trace id, made now if needed, without making a span id. */
  traceIdOf(): string {
    this.traceId ??= traceIdWithAccumulation(this.accumulation);
    return this.traceId;
  }

  spanContext(): SpanContext {
    this.context ??= {
      traceId: this.traceIdOf(),
      spanId: newSpanId(),
      traceFlags: TraceFlags.NONE | this.randomFlag,
      traceState: this.traceState,
    };
    return this.context;
  }
  setAttribute(_key: string, _value: AttributeValue): this {
    return this;
  }
  setAttributes(_attributes: Attributes): this {
    return this;
  }
  addEvent(_name: string, _attributesOrStartTime?: Attributes | TimeInput, _startTime?: TimeInput): this {
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(_status: SpanStatus): this {
    return this;
  }
  updateName(_name: string): this {
    return this;
  }
  end(_endTime?: TimeInput): void {}
  isRecording(): boolean {
    return false;
  }
  recordException(_exception: Exception, _time?: TimeInput): void {}
}

/**
 * A uniformly random, valid trace id whose stock ratio accumulation (XOR of its four big-endian 32-bit words)
 * is `accumulation`. @internal
 */
export function traceIdWithAccumulation(accumulation: number): string {
  for (;;) {
    const i = takeWords(3);
    const w0 = word(i);
    const w1 = word(i + 1);
    const w2 = word(i + 2);
    // Words are in memory byte order: bigEndian() of their XOR is the XOR of their big-endian readings.
    const w3 = (w0 ^ w1 ^ w2 ^ bigEndian(accumulation)) >>> 0;
    if ((w0 | w1 | w2 | w3) !== 0) return hexOfWord(w0) + hexOfWord(w1) + hexOfWord(w2) + hexOfWord(w3);
  }
}
