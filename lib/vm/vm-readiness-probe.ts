import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { wholeSeconds } from './private/checks';
import { meshError } from '../private/errors';
import { checkInteger } from '../private/validate';

/** Timing of a VM readiness probe; Istio runs it in the VM's istio-agent, like a Kubernetes readiness probe. */
export interface VmProbeOptions {
  /**
   * Delay before the first probe.
   * @default - Istio's default (0s)
   */
  readonly initialDelay?: Duration;
  /**
   * How often to probe.
   * @default - Istio's default (10s)
   */
  readonly period?: Duration;
  /**
   * Probe timeout.
   * @default - Istio's default (1s)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive successes after a failure before the WorkloadEntry is Ready again.
   * @default - Istio's default (1)
   */
  readonly successThreshold?: number;
  /**
   * Consecutive failures before the WorkloadEntry is no longer Ready.
   * @default - Istio's default (3)
   */
  readonly failureThreshold?: number;
}

/** Options of `VmReadinessProbe.httpGet()`. */
export interface VmHttpGetProbeOptions extends VmProbeOptions {
  /**
   * Request path.
   * @default '/'
   */
  readonly path?: string;
  /**
   * Probe with HTTPS (scheme HTTPS) instead of HTTP.
   * @default false
   */
  readonly https?: boolean;
  /**
   * Host to connect to.
   * @default - the VM's address
   */
  readonly host?: string;
  /**
   * Extra request headers.
   * @default - none
   */
  readonly headers?: Record<string, string>;
}

/** Options of `VmReadinessProbe.grpc()`. */
export interface VmGrpcProbeOptions extends VmProbeOptions {
  /**
   * gRPC health-check service name.
   * @default - the server's overall health
   */
  readonly service?: string;
}

/**
 * The readiness probe of a WorkloadGroup (`spec.probe`): an auto-registered WorkloadEntry is Ready, and receives
 * traffic, only while it succeeds (istiod `PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS`).
 * @see https://istio.io/latest/docs/reference/config/networking/workload-group/#ReadinessProbe
 */
export class VmReadinessProbe {
  /** An HTTP GET on `port` (e.g. `VmReadinessProbe.httpGet(8080, { path: '/ready' })`). */
  public static httpGet(port: number, options: VmHttpGetProbeOptions = {}): VmReadinessProbe {
    return new VmReadinessProbe('httpGet', options, (scope, field) => {
      const path = options.path ?? '/';
      if (!path.startsWith('/')) throw meshError(scope, `${field}.httpGet.path`, 'must start with "/"', path, `use ${JSON.stringify('/' + path)}`);
      const headers = Object.entries(options.headers ?? {});
      for (const [name] of headers) {
        if (!/^[-_A-Za-z0-9]+$/.test(name)) throw meshError(scope, `${field}.httpGet.headers`, 'must be HTTP header names', name, 'use a name like "X-Probe"');
      }
      return {
        httpGet: {
          port: checkInteger(scope, `${field}.httpGet.port`, port, 1, 65535),
          path,
          scheme: options.https ? 'HTTPS' : undefined,
          host: options.host,
          httpHeaders: headers.length > 0 ? headers.map(([name, value]) => ({ name, value })) : undefined,
        },
      };
    });
  }

  /** A TCP connect to `port`. */
  public static tcpSocket(port: number, options: VmProbeOptions = {}): VmReadinessProbe {
    return new VmReadinessProbe('tcpSocket', options, (scope, field) => ({ tcpSocket: { port: checkInteger(scope, `${field}.tcpSocket.port`, port, 1, 65535) } }));
  }

  /** A command run on the VM; exit status 0 is ready. */
  public static exec(command: string[], options: VmProbeOptions = {}): VmReadinessProbe {
    return new VmReadinessProbe('exec', options, (scope, field) => {
      if (command.length === 0 || command.some((c) => typeof c !== 'string' || c.length === 0)) {
        throw meshError(scope, `${field}.exec.command`, 'must be a non-empty list of non-empty strings', command, "pass e.g. ['/usr/local/bin/check-ready']");
      }
      return { exec: { command: [...command] } };
    });
  }

  /** A gRPC health check on `port`. */
  public static grpc(port: number, options: VmGrpcProbeOptions = {}): VmReadinessProbe {
    return new VmReadinessProbe('grpc', options, (scope, field) => ({
      grpc: { port: checkInteger(scope, `${field}.grpc.port`, port, 1, 65535), service: options.service },
    }));
  }

  private constructor(
    /** The probe kind: httpGet, tcpSocket, exec or grpc. */
    public readonly kind: string,
    private readonly _options: VmProbeOptions,
    private readonly _handler: (scope: IConstruct, field: string) => Record<string, unknown>,
  ) {}

  /**
   * The `spec.probe` of a WorkloadGroup, validated (throws naming `field` under `scope`).
   * @internal
   */
  public _render(scope: IConstruct, field: string): Record<string, unknown> {
    const o = this._options;
    const threshold = (name: string, v: number | undefined) => (v === undefined ? undefined : checkInteger(scope, `${field}.${name}`, v, 1, 2147483647));
    return dropUndefined({
      initialDelaySeconds: wholeSeconds(scope, `${field}.initialDelay`, o.initialDelay, 0),
      periodSeconds: wholeSeconds(scope, `${field}.period`, o.period, 1),
      timeoutSeconds: wholeSeconds(scope, `${field}.timeout`, o.timeout, 1),
      successThreshold: threshold('successThreshold', o.successThreshold),
      failureThreshold: threshold('failureThreshold', o.failureThreshold),
      ...this._handler(scope, field),
    });
  }
}

function dropUndefined<T extends Record<string, unknown>>(o: T): T {
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) delete o[k];
    else if (v && typeof v === 'object' && !Array.isArray(v)) dropUndefined(v as Record<string, unknown>);
  }
  return o;
}
