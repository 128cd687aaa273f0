// TRACEWIRE_EXPRESS_LAYERS / `expressLayers`: which express layers get spans ('handlers' by default, or 'all').
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { TracewireOptions } from '../../src/config/types.js';

describe('TRACEWIRE_EXPRESS_LAYERS / expressLayers', () => {
  it('defaults to handlers', () => {
    const { config, errors, warnings } = resolveConfig({}, {});
    expect(config.expressLayers).toBe('handlers');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['all', 'all'],
    ['ALL', 'all'],
    ['handlers', 'handlers'],
    ['', 'handlers'], // empty is unset
  ])('%j selects %s without a warning', (value, expected) => {
    const { config, warnings } = resolveConfig({}, { TRACEWIRE_EXPRESS_LAYERS: value });
    expect(config.expressLayers).toBe(expected);
    expect(warnings).toEqual([]);
  });

  it('warns once about a bad value, naming the variable, the value and the fallback', () => {
    const { config, errors, warnings } = resolveConfig({}, { TRACEWIRE_EXPRESS_LAYERS: 'middleware' });
    expect(config.expressLayers).toBe('handlers');
    expect(errors).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('TRACEWIRE_EXPRESS_LAYERS');
    expect(warnings[0]).toContain('middleware');
    expect(warnings[0]).toContain('handlers');
  });

  it('lets the code option win over the environment', () => {
    expect(resolveConfig({ expressLayers: 'handlers' }, { TRACEWIRE_EXPRESS_LAYERS: 'all' }).config.expressLayers).toBe('handlers');
    expect(resolveConfig({ expressLayers: 'all' }, {}).config.expressLayers).toBe('all');
  });

  it('lists a bad code option among the TracewireConfigError problems', () => {
    const { errors } = resolveConfig({ expressLayers: 'some' } as unknown as TracewireOptions, {});
    expect(errors).toEqual(['expressLayers: expected one of handlers, all, got "some"']);
  });
});
