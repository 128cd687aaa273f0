import { describe, expect, it } from 'vitest';
import { hostPolicy, isAllowedHost } from '../../../src/cli/dev/is-allowed-host.js';

describe('isAllowedHost (DNS rebinding protection of tracewire dev)', () => {
  it('answers loopback names and the bound host, with any port, and nothing else', () => {
    const policy = hostPolicy('127.0.0.1', [], 'laptop');
    for (const host of [
      'localhost:4318',
      'LOCALHOST:4318',
      'localhost',
      '127.0.0.1:4318',
      '[::1]:4318',
      'app.localhost:4318',
      'localhost.:4318',
    ]) {
      expect(isAllowedHost(host, policy), host).toBe(true);
    }
    for (const host of [
      'attacker.example:4318',
      'attacker.example',
      'localhost.attacker.example:4318',
      '192.168.1.5:4318',
      'laptop:4318',
      '',
      '::1',
      '[zz]:1',
      undefined,
    ]) {
      expect(isAllowedHost(host, policy), String(host)).toBe(false);
    }
  });

  it('answers the bound address and --allow-host names', () => {
    const policy = hostPolicy('192.168.1.5', ['devbox.lan', 'fe80::1'], 'laptop');
    for (const host of ['192.168.1.5:4318', 'devbox.lan:4318', 'DevBox.Lan', '[fe80::1]:4318'])
      expect(isAllowedHost(host, policy), host).toBe(true);
    expect(isAllowedHost('attacker.example:4318', policy)).toBe(false);
  });

  it('bound to every interface: any IP address and the machine name, but still no other host name', () => {
    for (const bound of ['0.0.0.0', '::']) {
      const policy = hostPolicy(bound, [], 'Laptop');
      for (const host of ['192.168.1.5:4318', '[2001:db8::1]:4318', 'laptop:4318', 'localhost:4318'])
        expect(isAllowedHost(host, policy), host).toBe(true);
      for (const host of ['attacker.example:4318', 'host.docker.internal:4318']) expect(isAllowedHost(host, policy), host).toBe(false);
    }
  });
});
