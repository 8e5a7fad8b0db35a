import { IConstruct } from 'constructs';
import type { CanaryMetric } from './canary-metric';
import type { TrafficManagedTarget } from '../traffic/traffic-managed';
import { meshError } from '../private/errors';
import { checkDnsLabel, checkInteger } from '../private/validate';

/*
 * The port a Canary routes, and what Flagger does with the app's other ports. Internal: not exported from lib/index.ts.
 */

/** Protocols whose traffic Flagger's Istio router shifts with HTTP routes. */
const HTTP_PROTOCOLS = ['http', 'http2', 'grpc', 'grpc-web'] as const;

/** Container port names Flagger's port discovery keeps (IANA_SVC_NAME); other ports get `tcp-<container>-<index>`. */
const IANA_SVC_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

/** The port Flagger routes. */
export interface CanaryPort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  /** Whether the canary is TCP (`service.appProtocol: tcp`). */
  readonly tcp: boolean;
}

/** The CanaryRelease props the port comes from. */
export interface CanaryPortProps {
  readonly port?: number;
  readonly targetPort?: number;
  readonly portName?: string;
}

/**
 * The canary port. Flagger's Services carry `service.port` -> `service.targetPort` as the first port, and with
 * `portDiscovery` every other container port of the target as `<container port name>: <n> -> <n>`
 * (pkg/canary/deployment_controller.go getPorts, pkg/router/kubernetes_default.go): an app port whose port differs from
 * its targetPort, or whose name is not a container port name, would change. Those are refused, naming the app's port.
 */
export function resolveCanaryPort(scope: IConstruct, app: IConstruct, t: TrafficManagedTarget, p: CanaryPortProps): CanaryPort {
  let base = t.ports[0];
  if (p.port !== undefined) {
    checkInteger(scope, 'port', p.port, 1, 65535);
    const found = t.ports.find((x) => x.port === p.port);
    base = found ?? { name: p.portName ?? 'http', port: p.port, targetPort: p.targetPort ?? p.port };
  }
  const name = p.portName ?? base.name;
  checkDnsLabel(scope, 'portName', name);
  const tcp = name === 'tcp' || name.startsWith('tcp-');
  if (!tcp && !HTTP_PROTOCOLS.some((proto) => name === proto || name.startsWith(`${proto}-`))) {
    const suffix = name.replace(/^[a-z0-9]+-?/, '');
    throw meshError(scope, 'portName', `must start with a protocol Flagger's Istio router shifts: HTTP (${HTTP_PROTOCOLS.join(', ')}) or tcp`,
      name, `name the port "http" (or "http-${suffix || 'web'}", "grpc"), or "tcp-${suffix || 'app'}" for a TCP canary`);
  }
  const targetPort = p.targetPort ?? base.targetPort;
  checkInteger(scope, 'targetPort', targetPort, 1, 65535);
  const deployment = t.versions[0].deploymentName;
  if (!t.containerPorts.includes(targetPort)) {
    throw meshError(scope, 'targetPort', `is not a container port of ${deployment} (container ports: ${t.containerPorts.join(', ')})`, targetPort,
      `use one of ${t.containerPorts.join(', ')}, or add the port to the app's ports`);
  }
  t.ports.forEach((x, i) => {
    if (x.port === base.port && x.targetPort === targetPort) return;
    if (x.targetPort === targetPort) {
      throw meshError(app, `ports[${i}].port`, `is lost under Flagger: its Services expose container port ${targetPort} only as the canary port ${base.port}`,
        x.port, `remove the port, or release port ${x.port} (CanaryRelease port: ${x.port})`);
    }
    if (x.port !== x.targetPort) {
      throw meshError(app, `ports[${i}].port`,
        `is lost under Flagger: its port discovery exposes every other container port as itself (${x.targetPort} -> ${x.targetPort})`,
        x.port, `set port to ${x.targetPort} (callers use ${x.targetPort}), or make it the canary port (CanaryRelease port: ${x.port})`);
    }
    if (!IANA_SVC_NAME.test(x.name)) {
      throw meshError(app, `ports[${i}].name`, 'is lost under Flagger: its port discovery names a port after the container port, and a container port '
        + 'name has at most 15 characters (Flagger would name it tcp-<container>-<index>, which Istio reads as TCP)', x.name,
      `use a name of at most 15 characters, e.g. ${JSON.stringify(x.name.slice(0, 15).replace(/-+$/, ''))}`);
    }
  });
  return { name, port: base.port, targetPort, tcp };
}

/**
 * What a TCP canary cannot have: HTTP routing in the strategy (A/B matches, session affinity, mirroring) and Flagger's
 * builtin metrics (they read HTTP telemetry). `strategy`: the rendered strategy fields of `spec.analysis`.
 */
export function checkTcpCanary(scope: IConstruct, strategy: Record<string, unknown>, metrics: readonly CanaryMetric[] | undefined): void {
  const http = (['match', 'sessionAffinity', 'mirror'] as const).find((k) => strategy[k] !== undefined);
  if (http) {
    throw meshError(scope, `strategy.${http}`, 'is HTTP routing, and the canary port is TCP (Flagger shifts TCP connections by weight only)', strategy[http],
      'use CanaryStrategy.progressive() or blueGreen() for a TCP canary');
  }
  if (!metrics) {
    throw meshError(scope, 'metrics', "must be given for a TCP canary: Flagger's builtin request-success-rate and request-duration read HTTP telemetry",
      undefined, 'pass metrics from MetricTemplates on istio_tcp_* metrics, e.g. CanaryMetric.fromTemplate(tcpConnectionsClosed, { max: 5 })');
  }
  metrics.forEach((m, i) => {
    if (!m.template) {
      throw meshError(scope, `metrics[${i}]`, 'is a builtin HTTP metric and the canary port is TCP', m.name,
        'use a MetricTemplate on istio_tcp_* metrics (CanaryMetric.fromTemplate())');
    }
  });
}
