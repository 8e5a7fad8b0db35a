import { Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as prom from '../../imports/monitoring.coreos.com';
import { checkK8sLabels, LABEL_NAME, promDuration, sortedRecord } from '../private/prometheus';
import { withApiFieldNames } from '../private/api-json';
import { meshError } from '../private/errors';
import { namespaceOf } from '../private/names';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkUnique } from '../private/validate';

/**
 * Which port of the selected Services' endpoints to scrape. Enum-like:
 * `ScrapePort.servicePort('http-monitoring')`, `ScrapePort.targetPort(9090)`, `ScrapePort.targetPortName('web')`.
 */
export class ScrapePort {
  /** A Service port, by name (`.spec.ports[].name` of the Service). */
  public static servicePort(name: string): ScrapePort {
    return new ScrapePort('port', name);
  }

  /** A container port of the pods behind the Service, by number. */
  public static targetPort(port: number): ScrapePort {
    return new ScrapePort('targetPort', port);
  }

  /** A container port of the pods behind the Service, by name (`.spec.containers[].ports[].name`). */
  public static targetPortName(name: string): ScrapePort {
    return new ScrapePort('targetPort', name);
  }

  private constructor(
    /** The ServiceMonitor endpoint field: "port" or "targetPort". */
    public readonly field: 'port' | 'targetPort',
    /** The port name or number. */
    public readonly value: string | number,
  ) {}

  /** @internal */
  public _check(scope: IConstruct, field: string): string | number {
    if (typeof this.value === 'number') return checkInteger(scope, field, this.value, 1, 65535);
    return checkDnsLabel(scope, field, this.value, 63);
  }

  public toString(): string {
    return `${this.field}=${this.value}`;
  }
}

/** What a relabeling rule does. @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#relabel_config */
export enum RelabelAction {
  /** Writes `replacement` (with regex capture groups) to `targetLabel` when `regex` matches the source labels. */
  REPLACE = 'replace',
  /** Keeps only series/targets whose source labels match `regex`. */
  KEEP = 'keep',
  /** Drops series/targets whose source labels match `regex`. */
  DROP = 'drop',
  /** Copies labels whose names match `regex` to the names given by `replacement`. */
  LABEL_MAP = 'labelmap',
  /** Removes labels whose names match `regex`. */
  LABEL_DROP = 'labeldrop',
  /** Removes labels whose names do not match `regex`. */
  LABEL_KEEP = 'labelkeep',
  /** Writes the lower-cased source labels to `targetLabel`. */
  LOWERCASE = 'lowercase',
  /** Writes the upper-cased source labels to `targetLabel`. */
  UPPERCASE = 'uppercase',
}

/** One relabeling rule (the API's RelabelConfig). */
export interface RelabelConfig {
  /**
   * Labels whose values are joined with `separator` and matched against `regex`.
   * @default - none
   */
  readonly sourceLabels?: string[];
  /**
   * Regular expression (RE2, anchored at both ends) matched against the joined source values.
   * @default - Prometheus' default, "(.*)"
   */
  readonly regex?: string;
  /**
   * Label written by REPLACE, LOWERCASE and UPPERCASE (capture groups such as "$1" allowed).
   * @default - none (required by those actions)
   */
  readonly targetLabel?: string;
  /**
   * Value written by REPLACE (and names produced by LABEL_MAP); capture groups such as "$1" allowed.
   * @default - Prometheus' default, "$1"
   */
  readonly replacement?: string;
  /**
   * Separator between joined source values.
   * @default - Prometheus' default, ";"
   */
  readonly separator?: string;
  /**
   * The action.
   * @default RelabelAction.REPLACE
   */
  readonly action?: RelabelAction;
}

/** One scrape endpoint of a ServiceMonitor. */
export interface ScrapeEndpoint {
  /** The port to scrape. */
  readonly port: ScrapePort;
  /**
   * HTTP path of the metrics.
   * @default - Prometheus' default, "/metrics"
   */
  readonly path?: string;
  /**
   * Scrape interval.
   * @default - the Prometheus global scrape interval (kube-prometheus-stack: 30s)
   */
  readonly interval?: Duration;
  /**
   * Scrape timeout; at most `interval` (the operator rejects a larger one).
   * @default - the global scrape timeout, capped at the interval
   */
  readonly scrapeTimeout?: Duration;
  /**
   * URL query parameters, e.g. `{ 'match[]': ['{__name__=~"workload:(.*)"}'] }` for a `/federate` endpoint.
   * @default - none
   */
  readonly params?: Record<string, string[]>;
  /**
   * Keep the scraped series' labels when they clash with the target's labels (required when federating, so that
   * `job`/`instance` of the federated series survive).
   * @default false
   */
  readonly honorLabels?: boolean;
  /**
   * Relabeling applied to the scraped series before they are stored.
   * @default - none
   */
  readonly metricRelabelings?: RelabelConfig[];
  /**
   * Relabeling applied to the target before it is scraped.
   * @default - none
   */
  readonly relabelings?: RelabelConfig[];
}

/**
 * Namespaces whose Services a ServiceMonitor discovers. Enum-like: `MonitorNamespaces.names('istio-system')`,
 * `MonitorNamespaces.ANY`.
 */
export class MonitorNamespaces {
  /** Every namespace. */
  public static readonly ANY = new MonitorNamespaces(true, []);

  /** The given namespaces. */
  public static names(...names: string[]): MonitorNamespaces {
    return new MonitorNamespaces(false, names);
  }

  private constructor(public readonly any: boolean, public readonly matchNames: readonly string[]) {}

  /** @internal */
  public _toKube(scope: IConstruct): Record<string, unknown> {
    if (this.any) return { any: true };
    if (!this.matchNames.length) {
      throw meshError(scope, 'namespaceSelector', 'must name at least one namespace', [],
        'pass MonitorNamespaces.names("istio-system"), or omit it for the ServiceMonitor\'s own namespace');
    }
    this.matchNames.forEach((n, i) => checkDnsLabel(scope, `namespaceSelector[${i}]`, n));
    checkUnique(scope, 'namespaceSelector', this.matchNames, (n) => n);
    return { matchNames: [...this.matchNames].sort() };
  }
}

/** Props for `ServiceMonitor`. */
export interface ServiceMonitorProps {
  /**
   * metadata.name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * metadata.namespace.
   * @default - the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * metadata.labels. A Prometheus only reads ServiceMonitors its `serviceMonitorSelector` matches:
   * kube-prometheus-stack's default selector wants `release: <its Helm release name>`.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /** Labels of the Services to scrape (at least one: an empty selector would scrape every Service). */
  readonly selector: Record<string, string>;
  /**
   * Namespaces whose Services are discovered.
   * @default - the ServiceMonitor's own namespace
   */
  readonly namespaceSelector?: MonitorNamespaces;
  /**
   * Endpoints to scrape; more with `addEndpoint()`.
   * @default - none (at least one must be added before synthesis)
   */
  readonly endpoints?: ScrapeEndpoint[];
  /**
   * Service label whose value becomes the `job` label.
   * @default - the Service name
   */
  readonly jobLabel?: string;
}

/**
 * A prometheus-operator ServiceMonitor (monitoring.coreos.com/v1): which Services' endpoints an operator-managed
 * Prometheus scrapes, and how.
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor
 */
export class ServiceMonitor extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** metadata.labels. */
  public readonly labels: Readonly<Record<string, string>>;
  /** The generated L1, for escape hatches. */
  public readonly resource: prom.ServiceMonitor;
  private readonly _endpoints: Record<string, unknown>[] = [];
  private readonly _selector: Record<string, string>;
  private readonly _namespaceSelector?: Record<string, unknown>;
  private readonly _jobLabel?: string;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', namespaceOf(this, props.namespace));
    this.labels = checkK8sLabels(this, 'labels', props.labels) ?? {};
    const selector = checkK8sLabels(this, 'selector', props.selector);
    if (!selector) {
      throw meshError(this, 'selector', 'must name at least one Service label (an empty selector scrapes every Service of the namespaces)',
        props.selector, 'pass the labels of the Services to scrape, e.g. { app: "prometheus" }');
    }
    this._selector = selector;
    this._namespaceSelector = props.namespaceSelector?._toKube(this);
    if (props.jobLabel !== undefined) {
      checkK8sLabels(this, 'jobLabel', { [props.jobLabel]: 'x' });
      this._jobLabel = props.jobLabel;
    }
    for (const e of props.endpoints ?? []) this.addEndpoint(e);

    // Rendered in API field names (the generated converter wraps targetPort in a class) and emitted as is.
    this.resource = withApiFieldNames(new prom.ServiceMonitor(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: Object.keys(this.labels).length ? { ...this.labels } : undefined },
      spec: Lazy.any({ produce: () => this._toKube() }) as prom.ServiceMonitorSpec,
    }));
    this.node.addValidation({
      validate: () => (this._endpoints.length ? [] : [`[${this.node.path}] 'endpoints' must not be empty, got nothing. Fix: pass endpoints or call addEndpoint().`]),
    });
  }

  /** Adds a scrape endpoint (validated now) and returns it. */
  public addEndpoint(endpoint: ScrapeEndpoint): ScrapeEndpoint {
    this._endpoints.push(this._renderEndpoint(endpoint, `endpoints[${this._endpoints.length}]`));
    return endpoint;
  }

  /** @internal */
  public _toKube(): prom.ServiceMonitorSpec {
    return {
      selector: { matchLabels: { ...this._selector } },
      namespaceSelector: this._namespaceSelector,
      jobLabel: this._jobLabel,
      endpoints: this._endpoints.map((e) => structuredClone(e)),
    } as unknown as prom.ServiceMonitorSpec;
  }

  private _renderEndpoint(e: ScrapeEndpoint, field: string): Record<string, unknown> {
    if (!(e.port instanceof ScrapePort)) {
      throw meshError(this, `${field}.port`, 'must be a ScrapePort', e.port, 'pass ScrapePort.servicePort("http-monitoring") or ScrapePort.targetPort(9090)');
    }
    const port = e.port._check(this, `${field}.${e.port.field}`);
    if (e.path !== undefined && (!e.path.startsWith('/') || /\s/.test(e.path))) {
      throw meshError(this, `${field}.path`, 'must be an absolute HTTP path', e.path, `use ${JSON.stringify(`/${e.path.trim().replace(/^\/*/, '')}`)}`);
    }
    const interval = e.interval && promDuration(this, `${field}.interval`, e.interval);
    const scrapeTimeout = e.scrapeTimeout && promDuration(this, `${field}.scrapeTimeout`, e.scrapeTimeout);
    if (e.interval && e.scrapeTimeout && e.scrapeTimeout.toMilliseconds() > e.interval.toMilliseconds()) {
      throw meshError(this, `${field}.scrapeTimeout`, `must not exceed the interval (${interval}); the operator rejects the ServiceMonitor otherwise`, scrapeTimeout,
        `pass a scrapeTimeout of ${interval} or less, or a longer interval`);
    }
    let params: Record<string, string[]> | undefined;
    if (e.params !== undefined) {
      for (const [k, v] of Object.entries(e.params)) {
        if (k === '' || !Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x === '')) {
          throw meshError(this, `${field}.params[${JSON.stringify(k)}]`, 'must be a non-empty list of non-empty strings', v,
            'pass e.g. { "match[]": ["{__name__=~\\"workload:(.*)\\"}"] }');
        }
      }
      params = Object.keys(e.params).length ? sortedRecord(Object.fromEntries(Object.entries(e.params).map(([k, v]) => [k, [...v]]))) : undefined;
    }
    return {
      [e.port.field]: port,
      path: e.path,
      interval,
      scrapeTimeout,
      params,
      honorLabels: e.honorLabels || undefined,
      relabelings: this._renderRelabelings(e.relabelings, `${field}.relabelings`),
      metricRelabelings: this._renderRelabelings(e.metricRelabelings, `${field}.metricRelabelings`),
    };
  }

  private _renderRelabelings(list: RelabelConfig[] | undefined, field: string): Record<string, unknown>[] | undefined {
    if (!list?.length) return undefined;
    return list.map((r, i) => {
      const f = `${field}[${i}]`;
      const action = r.action ?? RelabelAction.REPLACE;
      for (const [j, l] of (r.sourceLabels ?? []).entries()) {
        if (!LABEL_NAME.test(l)) {
          throw meshError(this, `${f}.sourceLabels[${j}]`, 'must be a Prometheus label name', l, 'use a label such as "__name__" or "destination_workload"');
        }
      }
      if ([RelabelAction.REPLACE, RelabelAction.LOWERCASE, RelabelAction.UPPERCASE].includes(action) && !r.targetLabel) {
        throw meshError(this, `${f}.targetLabel`, `is required by the ${action} action`, r.targetLabel, 'name the label to write, e.g. "__name__"');
      }
      if ([RelabelAction.REPLACE, RelabelAction.KEEP, RelabelAction.DROP, RelabelAction.LOWERCASE, RelabelAction.UPPERCASE].includes(action)
        && !r.sourceLabels?.length) {
        throw meshError(this, `${f}.sourceLabels`, `are required by the ${action} action`, r.sourceLabels, 'list the labels to read, e.g. ["__name__"]');
      }
      if (r.regex !== undefined && r.regex === '') {
        throw meshError(this, `${f}.regex`, 'must not be empty (it would only match empty values)', r.regex, 'omit it for the default "(.*)"');
      }
      return {
        sourceLabels: r.sourceLabels?.length ? [...r.sourceLabels] : undefined,
        separator: r.separator,
        regex: r.regex,
        targetLabel: r.targetLabel,
        replacement: r.replacement,
        action,
      };
    });
  }
}
