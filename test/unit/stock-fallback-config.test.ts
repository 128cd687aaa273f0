// The switches between a tracewire part and its stock OpenTelemetry fallback, resolved by the one config resolver:
// TRACEWIRE_OTLP_ENCODER / `otlpEncoder` and TRACEWIRE_HTTP_SERVER / `httpServer`.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { TracewireOptions } from '../../src/config/types.js';

describe.each([
  { option: 'otlpEncoder', variable: 'TRACEWIRE_OTLP_ENCODER' },
  { option: 'httpServer', variable: 'TRACEWIRE_HTTP_SERVER' },
] as const)('$variable / $option', ({ option, variable }) => {
  it('defaults to tracewire', () => {
    const { config, errors, warnings } = resolveConfig({}, {});
    expect(config[option]).toBe('tracewire');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['stock', 'stock'],
    ['STOCK', 'stock'],
    ['tracewire', 'tracewire'],
    ['', 'tracewire'], // empty is unset
  ])('%j selects %s without a warning', (value, expected) => {
    const { config, warnings } = resolveConfig({}, { [variable]: value });
    expect(config[option]).toBe(expected);
    expect(warnings).toEqual([]);
  });

  it('warns once about a bad value, naming the variable, the value and the fallback', () => {
    const { config, errors, warnings } = resolveConfig({}, { [variable]: 'fast' });
    expect(config[option]).toBe('tracewire');
    expect(errors).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(variable);
    expect(warnings[0]).toContain('fast');
    expect(warnings[0]).toContain('tracewire');
  });

  it('lets the code option win over the environment', () => {
    expect(resolveConfig({ [option]: 'tracewire' }, { [variable]: 'stock' }).config[option]).toBe('tracewire');
    expect(resolveConfig({ [option]: 'stock' }, {}).config[option]).toBe('stock');
  });

  it('lists a bad code option among the TracewireConfigError problems', () => {
    const { errors } = resolveConfig({ [option]: 'fast' } as TracewireOptions, {});
    expect(errors).toEqual([`${option}: expected one of tracewire, stock, got "fast"`]);
  });
});
