import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSupportedApiVersion, SUPPORTED_API_RANGE } from '../../src/config/diagnose-config.js';
import { ROOT } from '../support/spawn-app.js';

describe('the supported @opentelemetry/api range', () => {
  it("is the package's peer dependency range, the one the OpenTelemetry JS 3.x SDK accepts", () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as {
      peerDependencies: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.peerDependencies['@opentelemetry/api']).toBe(SUPPORTED_API_RANGE);
    expect(pkg.dependencies['@opentelemetry/api']).toBeUndefined();
    const sdk = JSON.parse(readFileSync(`${ROOT}/node_modules/@opentelemetry/sdk-trace/package.json`, 'utf8')) as {
      peerDependencies: Record<string, string>;
    };
    expect(sdk.peerDependencies['@opentelemetry/api'].replace(/\s+/g, '')).toBe(SUPPORTED_API_RANGE.replace(/\s+/g, ''));
  });

  it.each([
    ['1.10.0', true],
    ['1.10.7', true],
    ['1.9.0', false],
    ['1.11.0', false],
    ['2.0.0', false],
  ])('%s supported: %s', (version, supported) => {
    expect(isSupportedApiVersion(version)).toBe(supported);
  });
});
