import type { Attributes } from '@opentelemetry/api';
import { defineSection } from './option-reader.js';
import { isSpanAttributeValue } from '../sdk/attribute-values.js';
import { isNonEmptyString, isPlainObject } from './validators.js';

/** The service name when none is configured, as the OpenTelemetry spec names it for Node.js. @internal */
export const UNKNOWN_SERVICE = 'unknown_service:node';

/**
 * The resource: OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME, then `resourceAttributes`, `serviceName`,
 * `serviceVersion` and `environment` from code (later ones win); `service.name` defaults to `unknown_service:node`.
 * @internal
 */
export const resourceSection = defineSection(['resourceAttributes', 'serviceName', 'serviceVersion', 'environment'], (r) => {
  const resourceAttributes: Attributes = {};
  const envResource = r.env.keyValues(['OTEL_RESOURCE_ATTRIBUTES'], false);
  if (envResource) Object.assign(resourceAttributes, envResource.pairs);
  const envService = r.env.raw('OTEL_SERVICE_NAME');
  if (envService !== undefined) resourceAttributes['service.name'] = envService;
  const codeAttrs = r.get<Attributes>(
    'resourceAttributes',
    (v) => isPlainObject(v) && Object.values(v).every((x) => x === undefined || isSpanAttributeValue(x)),
    'an object of OpenTelemetry attribute values (string, number, boolean, or arrays and objects of them)',
  );
  if (codeAttrs) for (const [k, v] of Object.entries(codeAttrs)) if (v !== undefined) resourceAttributes[k] = v;
  const serviceName = r.get<string>('serviceName', isNonEmptyString, 'a non-empty string');
  if (serviceName !== undefined) resourceAttributes['service.name'] = serviceName;
  const serviceVersion = r.get<string>('serviceVersion', isNonEmptyString, 'a non-empty string');
  if (serviceVersion !== undefined) resourceAttributes['service.version'] = serviceVersion;
  const environment = r.get<string>('environment', isNonEmptyString, 'a non-empty string');
  if (environment !== undefined) resourceAttributes['deployment.environment.name'] = environment;
  if (typeof resourceAttributes['service.name'] !== 'string' || resourceAttributes['service.name'] === '') {
    resourceAttributes['service.name'] = UNKNOWN_SERVICE;
  }
  return { serviceName: resourceAttributes['service.name'] as string, resourceAttributes: Object.freeze(resourceAttributes) };
});
