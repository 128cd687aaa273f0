import { describe, expect, it } from 'vitest';
import { DestinationFilter } from '../../src/propagation/destination-filter.js';

describe('propagateTo destination matching', () => {
  const filter = new DestinationFilter([
    'https://api.internal:8443/v1',
    'http://127.0.0.1:3000',
    'payments.local',
    '*.svc.cluster.local',
    /^http:\/\/legacy\./,
  ]);

  it.each([
    ['https://api.internal:8443/v1', true],
    ['https://api.internal:8443/v1/users?x=1', true],
    ['https://api.internal:8443/v10', false],
    ['https://api.internal/v1', false],
    ['http://api.internal:8443/v1', false],
    ['https://api.internal.evil.com:8443/v1', false],
    ['http://127.0.0.1:3000/anything', true],
    ['http://127.0.0.1:3001/anything', false],
    ['https://payments.local/charge', true],
    ['https://payments.local.evil.com/charge', false],
    ['http://orders.svc.cluster.local:8080/', true],
    ['http://svc.cluster.local/', false],
    ['http://legacy.example.com/x', true],
    ['http://example.com/?u=http://legacy.x', false],
    ['not a url', false],
  ])('%s -> %s', (url, allowed) => {
    expect(filter.allows(url)).toBe(allowed);
  });

  it('a global RegExp gives the same answer every time', () => {
    const f = new DestinationFilter([/internal/g]);
    expect([f.allows('http://internal/'), f.allows('http://internal/'), f.allows('http://internal/')]).toEqual([true, true, true]);
  });
});
