import { isIP } from 'node:net';

/** Which `Host` headers the receiver answers. @internal */
export interface HostPolicy {
  /** Host names (lower-case, IPv6 in brackets) accepted in addition to the loopback names. */
  readonly names: ReadonlySet<string>;
  /** True when bound to every interface (0.0.0.0, ::): IP addresses and the machine's name are accepted too. */
  readonly wildcard: boolean;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

/** `[::1]` for an IPv6 address, the name lower-cased otherwise, without a trailing dot. */
function normalise(name: string): string {
  const lower = name.trim().toLowerCase().replace(/\.$/, '');
  return isIP(lower) === 6 ? `[${lower}]` : lower;
}

/**
 * The policy for a receiver bound to `host`: the loopback names, the bound host, the names given with
 * `--allow-host`, and for a wildcard bind the machine's own name. Pure. @internal
 *
 * @example
 * ```ts
 * hostPolicy('127.0.0.1', ['devbox.lan'], 'laptop'); // names: localhost, 127.0.0.1, [::1], devbox.lan
 * ```
 */
export function hostPolicy(host: string, allowed: readonly string[], machineName: string): HostPolicy {
  const wildcard = WILDCARDS.has(host.trim());
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  if (!wildcard) names.add(normalise(host));
  else names.add(normalise(machineName));
  for (const name of allowed) names.add(normalise(name));
  return { names, wildcard };
}

/** The host name of a `Host` header value (port removed), normalised; undefined when it is not one. */
function hostName(header: string): string | undefined {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0 || isIP(value.slice(1, end)) !== 6) return undefined;
    return value.slice(0, end + 1);
  }
  const colon = value.indexOf(':');
  if (colon !== value.lastIndexOf(':')) return undefined; // an IPv6 address must be in brackets
  return normalise(colon < 0 ? value : value.slice(0, colon));
}

/**
 * Whether a request's `Host` header names this receiver, so that a web page cannot reach it through DNS rebinding
 * (the browser sends the attacker's name, e.g. `attacker.example:4318`). Loopback names (`localhost`,
 * `*.localhost`, `127.0.0.1`, `[::1]`) and the policy's names are accepted with any port; with a wildcard bind,
 * any IP address too (an address is never the name a rebinding page is served from). Pure; never throws. @internal
 *
 * @example
 * ```ts
 * isAllowedHost('localhost:4318', hostPolicy('127.0.0.1', [], 'laptop')); // true
 * isAllowedHost('attacker.example:4318', hostPolicy('127.0.0.1', [], 'laptop')); // false
 * ```
 */
export function isAllowedHost(header: string | undefined, policy: HostPolicy): boolean {
  if (header === undefined) return false;
  const name = hostName(header);
  if (name === undefined || name === '') return false;
  if (policy.names.has(name) || name.endsWith('.localhost')) return true;
  return policy.wildcard && (isIP(name) === 4 || (name.startsWith('[') && isIP(name.slice(1, -1)) === 6));
}

/** The name part of a `Host` header, for messages (`attacker.example` of `attacker.example:4318`). @internal */
export function hostNameOf(header: string): string {
  return hostName(header) ?? header;
}
