import { Construct } from 'constructs';
import * as telemetry from '../../imports/telemetry.istio.io';
import { IMeshPeer, MESH_ROOT_NAMESPACE } from '../core/mesh-peer';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { policyTarget } from '../private/peers';
import { checkDnsLabel, checkDnsSubdomain, checkRange, checkUnique } from '../private/validate';
import { meshScopeOf } from '../private/mesh-scope';

/** Istio's built-in access log provider: Envoy's file access log on /dev/stdout (IIO pkg/config/mesh/mesh.go). */
export const ENVOY_ACCESS_LOG_PROVIDER = 'envoy';

/** Which traffic direction an access log configuration applies to. */
export enum AccessLogMode {
  /** Requests the workload makes and requests it receives. */
  CLIENT_AND_SERVER = 'CLIENT_AND_SERVER',
  /** Only requests the workload makes (outbound). */
  CLIENT = 'CLIENT',
  /** Only requests the workload receives (inbound). */
  SERVER = 'SERVER',
}

/** Access logging settings of a Telemetry. */
export interface AccessLogging {
  /**
   * Names of access log providers: built-in "envoy", or names declared in meshConfig.extensionProviders.
   * @default ['envoy']
   */
  readonly providers?: string[];
  /**
   * Turn access logging off for the scope (e.g. a noisy workload under a mesh-wide default).
   * @default false
   */
  readonly disabled?: boolean;
  /**
   * CEL expression selecting which requests are logged, e.g. `response.code >= 400`.
   * @default - every request
   */
  readonly filter?: string;
  /**
   * Traffic direction the setting applies to.
   * @default AccessLogMode.CLIENT_AND_SERVER
   */
  readonly mode?: AccessLogMode;
}

/** Tracing settings of a Telemetry. */
export interface TracingSettings {
  /**
   * Names of tracing providers declared in meshConfig.extensionProviders (e.g. by `MeshObservability`).
   * @default - the mesh's default tracing provider (meshConfig.defaultProviders.tracing)
   */
  readonly providers?: string[];
  /**
   * Percentage (0 to 100, precision 0.01) of requests without an upstream sampling decision that are traced.
   * @default - inherited from the parent scope, else Istio's default (1%)
   */
  readonly randomSamplingPercentage?: number;
  /**
   * Keep propagating trace headers but do not report spans.
   * @default false
   */
  readonly disableSpanReporting?: boolean;
}

/** Props for `Telemetry`. */
export interface TelemetryProps {
  /**
   * metadata.name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace. In the root namespace without `workload` the Telemetry is mesh-wide (only one such object is
   * allowed); in another namespace without `workload` it overrides the mesh-wide one for that namespace.
   * @default - the workload's namespace, else the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * The workload the settings apply to (its pod labels become the selector); not allowed in the root namespace.
   * @default - every workload of the namespace
   */
  readonly workload?: IMeshPeer;
  /**
   * The mesh's root namespace (meshConfig.rootNamespace).
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * Access logging.
   * @default - inherited from the parent scope
   */
  readonly accessLogging?: AccessLogging;
  /**
   * Tracing.
   * @default - inherited from the parent scope
   */
  readonly tracing?: TracingSettings;
}

/**
 * An Istio Telemetry (telemetry.istio.io/v1): access logging and tracing for the whole mesh (root namespace, no
 * selector), a namespace, or one workload. A scope overrides whole fields of its parent scope.
 * @see https://istio.io/latest/docs/reference/config/telemetry/
 */
export class Telemetry extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** Whether this is the mesh-wide Telemetry (root namespace, no workload). */
  public readonly meshWide: boolean;
  /** The generated L1, for escape hatches. */
  public readonly resource: telemetry.Telemetry;

  constructor(scope: Construct, id: string, props: TelemetryProps) {
    super(scope, id);
    const rootNamespace = checkDnsLabel(this, 'rootNamespace', props.rootNamespace ?? MESH_ROOT_NAMESPACE);
    const { identity, namespace } = policyTarget(this, props.workload, props.namespace, {
      noLabels: 'must be a workload with pod labels (a namespace or service-account peer cannot be selected)',
      noLabelsFix: 'pass a MeshApp or Gateway, or omit \'workload\' for a namespace-wide Telemetry',
      noSidecar: 'has no sidecar, so no proxy applies the Telemetry',
      noSidecarFix: 'enable sidecar injection for the workload, or drop this Telemetry',
      namespaceWhy: ': a selector only matches pods of the Telemetry\'s own namespace',
    });
    this.namespace = namespace;
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    if (identity && namespace === rootNamespace) {
      throw meshError(this, 'workload', `is not allowed in the root namespace "${rootNamespace}" (Istio ignores workload selectors there)`, identity.name,
        'omit \'workload\' for the mesh-wide Telemetry, or create the Telemetry in the workload\'s own namespace');
    }
    this.meshWide = !identity && namespace === rootNamespace;
    if (!props.accessLogging && !props.tracing) {
      throw meshError(this, 'accessLogging', 'or \'tracing\' must be set (a Telemetry without settings changes nothing)', undefined,
        'pass accessLogging: {} for Envoy access logs, or tracing: { randomSamplingPercentage: 10 }');
    }

    this.resource = withApiFieldNames(new telemetry.Telemetry(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        selector: identity?.podSelector ? { matchLabels: { ...identity.podSelector } } : undefined,
        accessLogging: props.accessLogging ? [this._renderAccessLogging(props.accessLogging)] : undefined,
        tracing: props.tracing ? [this._renderTracing(props.tracing)] : undefined,
      } as telemetry.TelemetrySpec,
    }));

    if (this.meshWide) {
      this.node.addValidation({ validate: () => this._checkSingleMeshWide() });
    }
  }

  private _renderAccessLogging(a: AccessLogging): Record<string, unknown> {
    const providers = this._providers('accessLogging.providers', a.providers ?? [ENVOY_ACCESS_LOG_PROVIDER]);
    if (a.filter !== undefined && a.filter.trim() === '') {
      throw meshError(this, 'accessLogging.filter', 'must be a non-empty CEL expression', a.filter, 'omit it to log every request, or pass e.g. "response.code >= 400"');
    }
    return {
      providers,
      disabled: a.disabled || undefined,
      filter: a.filter === undefined ? undefined : { expression: a.filter },
      match: a.mode && a.mode !== AccessLogMode.CLIENT_AND_SERVER ? { mode: a.mode } : undefined,
    };
  }

  private _renderTracing(t: TracingSettings): Record<string, unknown> {
    const pct = t.randomSamplingPercentage;
    if (pct !== undefined) {
      checkRange(this, 'tracing.randomSamplingPercentage', pct, 0, 100, 'pass a percentage from 0 to 100, e.g. 10 (precision 0.01)');
      if (Math.abs(pct * 100 - Math.round(pct * 100)) > 1e-6) {
        throw meshError(this, 'tracing.randomSamplingPercentage', 'must have at most two decimals (Istio\'s precision is 0.01)', pct,
          `pass ${Math.round(pct * 100) / 100}`);
      }
    }
    return {
      providers: t.providers === undefined ? undefined : this._providers('tracing.providers', t.providers),
      randomSamplingPercentage: pct,
      disableSpanReporting: t.disableSpanReporting || undefined,
    };
  }

  private _providers(field: string, names: string[]): Array<{ name: string }> {
    if (!names.length) throw meshError(this, field, 'must name at least one provider', names, 'omit it for the default, or pass e.g. ["envoy"]');
    names.forEach((n, i) => {
      if (typeof n !== 'string' || !/^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(n)) {
        throw meshError(this, `${field}[${i}]`, 'must be the name of a provider in meshConfig.extensionProviders', n, 'pass e.g. "envoy" or "zipkin"');
      }
    });
    checkUnique(this, field, names, (n) => n);
    return names.map((name) => ({ name }));
  }

  private _checkSingleMeshWide(): string[] {
    const others = meshScopeOf(this).node.findAll()
      .filter((c): c is Telemetry => c instanceof Telemetry && c !== this && c.meshWide && c.namespace === this.namespace);
    const first = [this, ...others].sort((a, b) => (a.node.path < b.node.path ? -1 : 1))[0];
    if (!others.length || first !== this) return [];
    return [`[${this.node.path}] 'namespace' holds more than one mesh-wide Telemetry (Istio allows one in the root namespace), got ${
      [this, ...others].map((t) => JSON.stringify(t.node.path)).join(', ')}. Fix: merge them into one, or give the others a workload or namespace.`];
  }
}
