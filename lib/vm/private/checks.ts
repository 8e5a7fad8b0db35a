import { isIP } from 'node:net';
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkDurationInput } from '../../private/duration-input';
import { meshError } from '../../private/errors';

/*
 * Input checks of the VM constructs: addresses, labels, ports, probe durations. Internal: not exported from
 * lib/vm/index.ts.
 */

/**
 * Istio protocol prefixes of Service port names (`<protocol>` or `<protocol>-<suffix>`), longest first so that
 * `grpc-web-x` reads as grpc-web and `http2-x` as http2.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export const ISTIO_PORT_PROTOCOLS = ['grpc-web', 'http2', 'https', 'http', 'grpc', 'tcp', 'tls', 'mongo', 'mysql', 'redis'] as const;

/** The Istio protocol a Service port name declares, if it declares one. */
export function protocolOfPortName(name: string): string | undefined {
  return ISTIO_PORT_PROTOCOLS.find((p) => name === p || name.startsWith(`${p}-`));
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The kind of a WorkloadEntry address, or throws naming what is wrong with it. */
export function checkAddress(scope: IConstruct, field: string, address: string): 'ipv4' | 'ipv6' | 'dns' {
  const fix = 'pass the address of one VM without port, prefix or scheme: an IPv4 address ("10.0.0.12"), an IPv6 address ("fd00::12") '
    + 'or a DNS name ("vm-1.example.internal")';
  if (typeof address !== 'string' || address.trim() === '') throw meshError(scope, field, 'must not be empty', address, fix);
  if (address !== address.trim()) throw meshError(scope, field, 'must not contain spaces', address, fix);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) {
    throw meshError(scope, field, 'must be an address, not a URL (unix:// sockets are not VMs)', address, fix);
  }
  if (address.includes('/')) {
    throw meshError(scope, field, 'must be the address of one VM, not a CIDR block (a WorkloadEntry is one endpoint)', address, fix);
  }
  if (address.includes('%')) throw meshError(scope, field, 'must not carry an IPv6 zone index', address, fix);
  const ip = isIP(address);
  if (ip === 4) return 'ipv4';
  if (ip === 6) return 'ipv6';
  if (/^\[.*\](:\d+)?$/.test(address)) {
    throw meshError(scope, field, 'must be a bare IPv6 address: no brackets and no port (ports come from the Service)', address, fix);
  }
  if (/^[^:]+:\d+$/.test(address)) {
    throw meshError(scope, field, 'must not contain a port (a WorkloadEntry address is "without the port"; ports come from the Service)', address, fix);
  }
  if (/^[\d.]+$/.test(address)) throw meshError(scope, field, 'is not a valid IPv4 address', address, fix);
  if (address.startsWith('*')) throw meshError(scope, field, 'must not be a wildcard (a WorkloadEntry is one endpoint)', address, fix);
  if (!DNS_NAME.test(address)) {
    throw meshError(scope, field, 'is neither an IP address nor a DNS name (lower case letters, digits, \'-\' and \'.\')', address, fix);
  }
  return 'dns';
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Kubernetes label keys and values (WorkloadEntry labels are matched like pod labels). */
export function checkLabels(scope: IConstruct, field: string, labels: Readonly<Record<string, string>>): void {
  for (const [k, v] of Object.entries(labels)) {
    const slash = k.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : k.slice(0, slash);
    const name = slash < 0 ? k : k.slice(slash + 1);
    if (!LABEL_NAME.test(name) || (prefix !== undefined && !LABEL_PREFIX.test(prefix))) {
      throw meshError(scope, `${field}.${k}`, 'is not a valid label key ([prefix/]name, name at most 63 characters)', k, 'use a key like "tier" or "example.com/tier"');
    }
    if (typeof v !== 'string' || !LABEL_VALUE.test(v)) {
      throw meshError(scope, `${field}.${k}`, 'is not a valid label value (at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending alphanumeric)', v,
        'use a value like "v2"');
    }
  }
}

/** A Duration as whole seconds (probe fields are int32 seconds). */
export function wholeSeconds(scope: IConstruct, field: string, d: Duration | undefined, min: number): number | undefined {
  if (d === undefined) return undefined;
  const ms = checkDurationInput(scope, field, d).toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || ms % 1000 !== 0 || ms / 1000 < min) {
    throw meshError(scope, field, `must be a whole number of seconds, at least ${min}s`, `${ms}ms`, `use Duration.seconds(n) with an integer n >= ${min}`);
  }
  return ms / 1000;
}

/** `10.0.0.12` → `10-0-0-12`, `fd00::12` → `fd00--12`: an address as part of an object name. */
export function addressSlug(address: string): string {
  return address.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}
