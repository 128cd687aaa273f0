// TRACEWIRE_OTLP_ENCODER and the `otlpEncoder` option, resolved by the one config resolver.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { OtlpEncoderName } from '../../src/config/types.js';

describe('TRACEWIRE_OTLP_ENCODER / otlpEncoder', () => {
  it('defaults to the tracewire encoder', () => {
    const { config, errors, warnings } = resolveConfig({}, {});
    expect(config.otlpEncoder).toBe('tracewire');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['stock', 'stock'],
    ['STOCK', 'stock'],
    ['tracewire', 'tracewire'],
    ['', 'tracewire'], // empty is unset
  ])('TRACEWIRE_OTLP_ENCODER=%j selects %s without a warning', (value, expected) => {
    const { config, warnings } = resolveConfig({}, { TRACEWIRE_OTLP_ENCODER: value });
    expect(config.otlpEncoder).toBe(expected);
    expect(warnings).toEqual([]);
  });

  it('warns once about a bad value, naming the variable, the value and the fallback', () => {
    const { config, errors, warnings } = resolveConfig({}, { TRACEWIRE_OTLP_ENCODER: 'fast' });
    expect(config.otlpEncoder).toBe('tracewire');
    expect(errors).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('TRACEWIRE_OTLP_ENCODER');
    expect(warnings[0]).toContain('fast');
    expect(warnings[0]).toContain('tracewire');
  });

  it('lets the code option win over the environment', () => {
    expect(resolveConfig({ otlpEncoder: 'tracewire' }, { TRACEWIRE_OTLP_ENCODER: 'stock' }).config.otlpEncoder).toBe('tracewire');
    expect(resolveConfig({ otlpEncoder: 'stock' }, {}).config.otlpEncoder).toBe('stock');
  });

  it('lists a bad code option among the TracewireConfigError problems', () => {
    const { errors } = resolveConfig({ otlpEncoder: 'fast' as OtlpEncoderName }, {});
    expect(errors).toEqual(['otlpEncoder: expected one of tracewire, stock, got "fast"']);
  });
});
