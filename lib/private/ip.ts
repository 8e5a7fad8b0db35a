import { IConstruct } from 'constructs';
import { meshError } from './errors';

/*
 * IPv4 / IPv6 addresses and CIDR prefixes, as Go's net/netip parses them (what Istio validates with): dotted quads
 * without leading zeros, RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail), prefix lengths up to 32 / 128.
 */

/** The 4 bytes of a dotted-quad IPv4 address, or undefined. */
export function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** The 8 groups of an IPv6 address, or undefined. */
export function parseIpv6(s: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (const [i, item] of items.entries()) {
      if (item.includes('.')) {
        const v4 = i === items.length - 1 ? parseIpv4(item) : undefined;
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(item)) return undefined;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  // an IPv4 tail may only end the address
  if (halves[0].includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** Whether `s` is an IPv4 or IPv6 address (no prefix length). */
export function isIpAddress(s: string): boolean {
  return typeof s === 'string' && (parseIpv4(s) !== undefined || parseIpv6(s) !== undefined);
}

/** Why `s` is not an IP address or CIDR prefix (`10.0.0.0/8`, `2001:db8::/32`), or undefined when it is one. */
export function ipOrCidrProblem(s: string, allowPrefix = true): string | undefined {
  if (typeof s !== 'string' || s.length === 0) return 'must not be empty';
  const slash = s.indexOf('/');
  const addr = slash >= 0 ? s.slice(0, slash) : s;
  const v4 = parseIpv4(addr) !== undefined;
  const v6 = !v4 && parseIpv6(addr) !== undefined;
  if (!v4 && !v6) {
    return addr.includes(':') ? 'is not an IPv6 address' : /^[0-9.]+$/.test(addr) ? 'is not an IPv4 address (four numbers 0-255, no leading zeros)' : 'is not an IP address';
  }
  if (slash < 0) return undefined;
  if (!allowPrefix) return 'must be a single address, not a CIDR prefix';
  const bits = s.slice(slash + 1);
  const max = v4 ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bits) || Number(bits) > max) return `has a prefix length that is not a number from 0 to ${max}`;
  return undefined;
}

/** Whether a CIDR prefix covers every address of its family (`0.0.0.0/0`, `::/0`). */
export function isEveryAddress(s: string): boolean {
  return typeof s === 'string' && /\/0$/.test(s) && ipOrCidrProblem(s) === undefined;
}

/** Throws unless `value` is an IP address or (with `allowPrefix`) a CIDR prefix. */
export function checkIpOrCidr(scope: IConstruct, field: string, value: string, allowPrefix = true): string {
  const problem = ipOrCidrProblem(value, allowPrefix);
  if (problem) {
    throw meshError(scope, field, problem, value, allowPrefix
      ? 'use an address like "192.168.1.7" or "2001:db8::7", or a CIDR prefix like "10.0.0.0/8" or "2001:db8::/32"'
      : 'use an address like "192.168.1.7" or "2001:db8::7"');
  }
  return value;
}
