import { ApiObject, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import * as flagger from '../../imports/flagger.app';
import { meshError } from '../private/errors';
import { namespaceOf } from '../private/names';
import { checkDnsSubdomain } from '../private/validate';

/** The Prometheus that ships with Istio's samples (istio-system/prometheus). */
export const ISTIO_PROMETHEUS_ADDRESS = 'http://prometheus.istio-system:9090';

/**
 * Template variables Flagger fills in a MetricTemplate query.
 * @see https://docs.flagger.app/usage/metrics#custom-metrics
 */
const QUERY_VARIABLES = new Set(['name', 'namespace', 'target', 'service', 'ingress', 'route', 'interval']);

/** Options for `MetricProvider.prometheus()`. */
export interface PrometheusProviderOptions {
  /**
   * URL of the Prometheus API.
   * @default 'http://prometheus.istio-system:9090' (Istio's Prometheus add-on)
   */
  readonly address?: string;
  /**
   * Secret in the MetricTemplate's namespace with the keys `username` and `password` (basic auth) or `token` (bearer
   * token), created in the cluster.
   * @default - no authentication
   * @see https://docs.flagger.app/usage/metrics#prometheus
   */
  readonly secret?: kplus.ISecret;
  /**
   * Skip TLS verification of an https address.
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
}

/**
 * Where Flagger reads a custom metric from. Only Prometheus is modelled today (the provider Istio's
 * telemetry feeds); the class leaves room for the others Flagger supports.
 * @see https://docs.flagger.app/usage/metrics#prometheus
 */
export class MetricProvider {
  /** Prometheus at `http://prometheus.istio-system:9090`. */
  public static readonly ISTIO_PROMETHEUS = MetricProvider.prometheus();

  /** A Prometheus server. */
  public static prometheus(options: PrometheusProviderOptions = {}): MetricProvider {
    return new MetricProvider('prometheus', options.address ?? ISTIO_PROMETHEUS_ADDRESS, options.secret, options.insecureSkipVerify);
  }

  private constructor(
    /** The Flagger provider type ('prometheus'). */
    public readonly type: string,
    /** The provider's URL. */
    public readonly address: string,
    private readonly _secret?: kplus.ISecret,
    private readonly _insecureSkipVerify?: boolean,
  ) {}

  /** @internal */
  public _toKube(scope: IConstruct): flagger.MetricTemplateSpecProvider {
    if (!/^https?:\/\/[^\s/]+/.test(this.address)) {
      throw meshError(scope, 'provider.address', 'must be an http(s) URL', this.address, `use a URL like "${ISTIO_PROMETHEUS_ADDRESS}"`);
    }
    if (/^https?:\/\/[^/]*@/.test(this.address)) {
      throw meshError(scope, 'provider.address', 'must not carry credentials (dist/ is committed to git)', this.address.replace(/\/\/[^@]*@/, '//***@'),
        'remove them from the URL and pass `secret` with the keys username/password (basic auth) or token (bearer)');
    }
    return {
      type: this.type as flagger.MetricTemplateSpecProviderType,
      address: this.address,
      secretRef: this._secret ? { name: this._secret.name } : undefined,
      insecureSkipVerify: this._insecureSkipVerify,
    };
  }
}

/** A Flagger MetricTemplate, defined here or already in the cluster. */
export interface IMetricTemplate extends IConstruct {
  /** metadata.name */
  readonly name: string;
  /** metadata.namespace */
  readonly namespace: string;
}

/** Props of a `MetricTemplate`. */
export interface MetricTemplateProps {
  /**
   * The query; Flagger replaces `{{ namespace }}`, `{{ target }}`, `{{ service }}`, `{{ interval }}`,
   * `{{ name }}`, `{{ ingress }}`, `{{ route }}` and `{{ variables.<key> }}` (from the Canary metric's templateVariables).
   * For Prometheus it must return a single number.
   */
  readonly query: string;
  /**
   * Where the query runs.
   * @default MetricProvider.ISTIO_PROMETHEUS (http://prometheus.istio-system:9090)
   */
  readonly provider?: MetricProvider;
  /**
   * metadata.name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * metadata.namespace. A Canary can use a template of another namespace (templateRef.namespace).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * A custom analysis metric for Flagger (flagger.app/v1beta1 MetricTemplate), referenced from a
 * CanaryRelease with `CanaryMetric.fromTemplate(template, …)`.
 *
 * @see https://docs.flagger.app/usage/metrics#custom-metrics
 */
export class MetricTemplate extends Construct implements IMetricTemplate {
  /** A MetricTemplate that already exists in the cluster (not synthesized here). */
  public static fromMetricTemplateName(scope: Construct, id: string, name: string, namespace?: string): IMetricTemplate {
    const c = new Construct(scope, id);
    checkDnsSubdomain(c, 'name', name);
    return Object.assign(c, { name, namespace: namespaceOf(scope, namespace) });
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly provider: MetricProvider;
  public readonly query: string;
  /** The generated flagger.app MetricTemplate (escape hatch). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: MetricTemplateProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = namespaceOf(this, props.namespace);
    this.provider = props.provider ?? MetricProvider.ISTIO_PROMETHEUS;
    this.query = checkQuery(this, props.query);
    const provider = this.provider._toKube(this);
    this.resource = new flagger.MetricTemplate(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => ({ provider, query: this.query }) }) as flagger.MetricTemplateSpec,
    });
  }
}

function checkQuery(scope: IConstruct, query: string): string {
  if (query.trim() === '') {
    throw meshError(scope, 'query', 'must not be empty', query, 'pass the PromQL query that returns one number, e.g. a success rate in percent');
  }
  for (const m of query.matchAll(/\{\{\s*([^}\s]*)\s*\}\}/g)) {
    const v = m[1];
    if (!QUERY_VARIABLES.has(v) && !/^variables\.[A-Za-z0-9_]+$/.test(v)) {
      throw meshError(scope, 'query', 'uses a template variable Flagger does not know', m[0],
        `use one of ${[...QUERY_VARIABLES].map((x) => `{{ ${x} }}`).join(', ')} or {{ variables.<key> }} with templateVariables on the Canary metric`);
    }
  }
  return query;
}
