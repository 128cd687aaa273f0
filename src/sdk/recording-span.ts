import {
  diag,
  SpanStatusCode,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import {
  addHrTimes,
  cleanAttributes,
  cleanSimpleAttributes,
  hrTime,
  hrTimeDuration,
  isTimeInput,
  isTimeInputHrTime,
  millisToHrTime,
  type InstrumentationScope,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { Span, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { performance } from 'node:perf_hooks';
import { copyAttributeValue, isSpanAttributeValue, storeAttribute } from './attribute-values.js';

const hasOwn = Object.prototype.hasOwnProperty;
const EXCEPTION_TYPE = 'exception.type';
const EXCEPTION_MESSAGE = 'exception.message';
const EXCEPTION_STACKTRACE = 'exception.stacktrace';

/** What every span of one tracer shares, built once per tracer. @internal */
export interface SpanShared {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly limits: Required<SpanLimits>;
  readonly processor: SpanProcessor;
}

/** The length limit as the SDK applies it: a limit that is not positive is ignored, with a warning. */
function lengthLimitOf(limit: number): number {
  if (limit > 0) return limit;
  diag.warn(`Invalid attributeValueLengthLimit: must be positive, got ${limit} (ignoring)`);
  return Infinity;
}

/**
 * A sampled (or record-only) span of tracewire's tracer: the SDK span's behaviour, field for field (limits,
 * truncation, events, links, status rules, exception events, end-once, time inputs, the span processors'
 * onStart/onEnding/onEnd), without its per-span metrics, closures and repeated clock reads. It implements the
 * OpenTelemetry API `Span` and the SDK `ReadableSpan`, so every span processor and exporter reads it as an SDK span
 * (test/unit/recording-span.test.ts compares both, feeding the stock processors and exporters).
 * @internal
 */
export class RecordingSpan implements Span {
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly startTime: HrTime;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  name: string;
  status: SpanStatus;
  endTime: HrTime;
  private readonly spanContextValue: SpanContext;
  private readonly shared: SpanShared;
  private attributeCount: number;
  private droppedAttributes: number;
  private droppedEvents: number;
  private droppedLinks: number;
  private isEnded: boolean;
  private durationValue: HrTime;
  private readonly performanceStart: number;
  /** Wall clock minus the performance clock at start, to place performance timestamps given by the user. */
  private readonly performanceOffset: number;
  private readonly startTimeProvided: boolean;

  constructor(
    shared: SpanShared,
    spanContext: SpanContext,
    name: string,
    kind: SpanKind,
    parentSpanContext: SpanContext | undefined,
    attributes: Attributes | undefined,
    links: Link[] | undefined,
    startTime: TimeInput | undefined,
    parentContext: Context,
    /** Attributes the tracer dropped before asking the sampler; then `attributes` are what it handed the sampler. */
    droppedBeforeSampling = -1,
  ) {
    const now = Date.now();
    this.performanceStart = performance.now();
    this.performanceOffset = now - (this.performanceStart + performance.timeOrigin);
    this.startTimeProvided = startTime !== undefined && startTime !== null;
    this.shared = shared;
    this.spanContextValue = spanContext;
    this.name = name;
    this.kind = kind;
    this.parentSpanContext = parentSpanContext;
    this.attributes = {};
    this.events = [];
    this.resource = shared.resource;
    this.instrumentationScope = shared.scope;
    this.status = { code: SpanStatusCode.UNSET };
    this.endTime = [0, 0];
    this.durationValue = [-1, -1];
    this.attributeCount = 0;
    this.droppedAttributes = 0;
    this.droppedEvents = 0;
    this.droppedLinks = 0;
    this.isEnded = false;
    // Links come cleaned by the tracer (see cleanLinks); the span keeps the newest linkCountLimit of them.
    const linkCountLimit = shared.limits.linkCountLimit;
    if (links === undefined) this.links = [];
    else if (links.length > linkCountLimit) {
      this.links = links.slice(links.length - linkCountLimit, links.length);
      this.droppedLinks = links.length - linkCountLimit;
    } else this.links = links;
    this.startTime = this.startTimeProvided ? this.timeOf(startTime) : millisToHrTime(now);
    if (droppedBeforeSampling >= 0) this.droppedAttributes = droppedBeforeSampling;
    if (attributes !== undefined) this.setInitialAttributes(attributes, droppedBeforeSampling >= 0);
    shared.processor.onStart(this, parentContext);
  }

  spanContext(): SpanContext {
    return this.spanContextValue;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (this.endedWarn() || value === undefined) return this;
    // The SDK throws on a non-string key (`key.length`); tracewire never throws into the app.
    if (typeof key !== 'string' || key.length === 0) {
      diag.warn(`Invalid attribute key: ${String(key)}`);
      return this;
    }
    const isNewKey = !hasOwn.call(this.attributes, key);
    if (isNewKey && this.attributeCount >= this.shared.limits.attributeCountLimit) {
      this.droppedAttributes++;
      if (this.droppedAttributes === 1) diag.warn('Dropping extra attributes.');
      return this;
    }
    if (!isSpanAttributeValue(value)) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    const limit = this.shared.limits.attributeValueLengthLimit;
    storeAttribute(
      this.attributes,
      key,
      typeof value !== 'object' && limit === Infinity ? value : copyAttributeValue(value, lengthLimitOf(limit)),
    );
    if (isNewKey) this.attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (hasOwn.call(attributes, key)) this.setAttribute(key, attributes[key]);
    }
    return this;
  }

  /**
   * The span's attributes from its options (and its sampler), as the SDK 3.x tracer takes them (`cleanAttributes`):
   * own enumerable keys, undefined values skipped, invalid keys and values dropped with a warning and counted,
   * the count limit applied, values copied and truncated. The SDK cleans them twice, without limits before the
   * sampler and with them after; when no sampler was asked (`afterSampler` false), one pass here does both with the
   * same result: what the first pass drops is counted first, then the limit.
   */
  private setInitialAttributes(input: Attributes, afterSampler: boolean): void {
    if (typeof input !== 'object' || input === null) return;
    const { attributeCountLimit } = this.shared.limits;
    const lengthLimit = lengthLimitOf(this.shared.limits.attributeValueLengthLimit);
    const attributes = this.attributes as Record<string, unknown>;
    for (const key of Object.keys(input)) {
      const value: unknown = input[key];
      if (value === undefined) continue;
      if (afterSampler && this.attributeCount >= attributeCountLimit) {
        this.droppedAttributes++;
        continue;
      }
      if (key.length === 0) {
        diag.warn(`Invalid attribute key: ${key}`);
        this.droppedAttributes++;
        continue;
      }
      if (!isSpanAttributeValue(value)) {
        diag.warn(`Invalid attribute value set for key: ${key}`);
        this.droppedAttributes++;
        continue;
      }
      if (this.attributeCount >= attributeCountLimit) {
        this.droppedAttributes++;
        continue;
      }
      storeAttribute(
        attributes,
        key,
        typeof value !== 'object' && lengthLimit === Infinity ? value : copyAttributeValue(value, lengthLimit),
      );
      this.attributeCount++;
    }
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, timeStamp?: TimeInput): this {
    if (this.endedWarn()) return this;
    const { eventCountLimit, attributePerEventCountLimit, attributeValueLengthLimit } = this.shared.limits;
    if (eventCountLimit === 0) {
      diag.warn('No events allowed.');
      this.droppedEvents++;
      return this;
    }
    if (this.events.length >= eventCountLimit) {
      if (this.droppedEvents === 0) diag.debug('Dropping extra events.');
      this.events.shift();
      this.droppedEvents++;
    }
    let attributeInput: Attributes | undefined;
    if (isTimeInput(attributesOrStartTime)) {
      if (!isTimeInput(timeStamp)) timeStamp = attributesOrStartTime;
    } else {
      attributeInput = attributesOrStartTime;
    }
    // As the SDK 3.x span: only simple values (primitives, homogeneous arrays) in events, with a dropped count.
    const event: TimedEvent = { name, time: this.timeOf(timeStamp) };
    const cleaned = cleanSimpleAttributes(attributeInput, { attributeCountLimit: attributePerEventCountLimit, attributeValueLengthLimit });
    if (cleaned.attributes !== undefined) event.attributes = cleaned.attributes;
    if (cleaned.droppedAttributesCount !== undefined) event.droppedAttributesCount = cleaned.droppedAttributesCount;
    this.events.push(event);
    return this;
  }

  addLink(link: Link): this {
    if (this.endedWarn()) return this;
    const { linkCountLimit, attributePerLinkCountLimit } = this.shared.limits;
    if (linkCountLimit === 0) {
      this.droppedLinks++;
      return this;
    }
    if (this.links.length >= linkCountLimit) {
      if (this.droppedLinks === 0) diag.debug('Dropping extra links.');
      this.links.shift();
      this.droppedLinks++;
    }
    this.links.push(cleanLink(link, attributePerLinkCountLimit, this.shared.limits.attributeValueLengthLimit));
    return this;
  }

  addLinks(links: Link[]): this {
    for (let i = 0; i < links.length; i++) this.addLink(links[i]!);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.endedWarn()) return this;
    if (status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR) {
      if (typeof status.message === 'string') next.message = status.message;
      else if (status.message !== undefined && status.message !== null) {
        diag.warn(`Dropping invalid status.message of type '${typeof status.message}', expected 'string'`);
      }
    }
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (this.endedWarn()) return this;
    this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.endedWarn()) {
      diag.error(`${this.name} ${this.spanContextValue.traceId}-${this.spanContextValue.spanId} - You can only call end() on a span once.`);
      return;
    }
    this.endTime = this.timeOf(endTime);
    this.durationValue = hrTimeDuration(this.startTime, this.endTime);
    if (this.durationValue[0] < 0) {
      diag.warn('Inconsistent start and end time, startTime > endTime. Setting span duration to 0ms.', this.startTime, this.endTime);
      this.endTime = this.startTime.slice() as HrTime;
      this.durationValue = [0, 0];
    }
    if (this.droppedEvents > 0) diag.warn(`Dropped ${this.droppedEvents} events because eventCountLimit reached`);
    if (this.droppedLinks > 0) diag.warn(`Dropped ${this.droppedLinks} links because linkCountLimit reached`);
    const processor = this.shared.processor;
    processor.onEnding?.(this);
    this.isEnded = true;
    processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.isEnded;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes[EXCEPTION_MESSAGE] = exception;
    } else if (exception) {
      if (exception.code) attributes[EXCEPTION_TYPE] = exception.code.toString();
      else if (exception.name) attributes[EXCEPTION_TYPE] = exception.name;
      if (exception.message) attributes[EXCEPTION_MESSAGE] = exception.message;
      if (exception.stack) attributes[EXCEPTION_STACKTRACE] = exception.stack;
    }
    if (attributes[EXCEPTION_TYPE] || attributes[EXCEPTION_MESSAGE]) this.addEvent('exception', attributes, time);
    else diag.warn(`Failed to record an exception ${String(exception)}`);
  }

  get duration(): HrTime {
    return this.durationValue;
  }
  get ended(): boolean {
    return this.isEnded;
  }
  get droppedAttributesCount(): number {
    return this.droppedAttributes;
  }
  get droppedEventsCount(): number {
    return this.droppedEvents;
  }
  get droppedLinksCount(): number {
    return this.droppedLinks;
  }

  /** The SDK's time rule: performance timestamps, epoch milliseconds, Dates, HrTimes; now when absent. */
  private timeOf(input: TimeInput | undefined): HrTime {
    if (typeof input === 'number') {
      return input <= performance.now() ? hrTime(input + this.performanceOffset) : millisToHrTime(input);
    }
    if (input instanceof Date) return millisToHrTime(input.getTime());
    if (isTimeInputHrTime(input)) return input;
    if (this.startTimeProvided) return millisToHrTime(Date.now());
    return addHrTimes(this.startTime, millisToHrTime(performance.now() - this.performanceStart));
  }

  /** True (with the SDK's warning) when the span has ended. */
  private endedWarn(): boolean {
    if (this.isEnded) {
      const { traceId, spanId } = this.spanContextValue;
      diag.warn(
        `Cannot execute the operation on ended Span {traceId: ${traceId}, spanId: ${spanId}}`,
        new Error(`Operation attempted on ended Span {traceId: ${traceId}, spanId: ${spanId}}`),
      );
    }
    return this.isEnded;
  }
}

/** A link as the SDK 3.x keeps it: its context and, when it has an attributes object, those cleaned (any value). @internal */
export function cleanLink(link: Link, attributeCountLimit: number, attributeValueLengthLimit: number): Link {
  const cleaned: Link = { context: link.context };
  const { attributes, droppedAttributesCount } = cleanAttributes(link.attributes, { attributeCountLimit, attributeValueLengthLimit });
  if (attributes !== undefined) cleaned.attributes = attributes;
  if (droppedAttributesCount !== undefined) cleaned.droppedAttributesCount = droppedAttributesCount;
  return cleaned;
}
