import { ApiObject, Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as flagger from '../../imports/flagger.app';
import { AlertSeverity, CanaryAlert } from './alert-provider';
import { CanaryMetric } from './canary-metric';
import type { CanaryReleaseProps } from './canary-release-props';
import { CanaryPort, checkTcpCanary, resolveCanaryPort } from './canary-port';
import { CanaryStrategy } from './canary-strategy';
import { CanaryWebhook, LoadTester, WebhookContext } from './canary-webhook';
import { convertRoute, convertTrafficPolicy, flaggerTrafficManagement } from './flagger-translate';
import { LoadTesterAccess } from './load-tester-access';
import { MetricTemplate } from './metric-template';
import { AuthorizationPolicy } from '../security/authorization-policy';
import type { HttpRouteOptions } from '../traffic/http-route';
import type { MeshApp } from '../traffic/mesh-app';
import { renderHttpRoute } from '../traffic/render-http-route';
import { renderTrafficPolicy } from '../traffic/render-traffic-policy';
import type { TrafficManagedTarget, TrafficManagedVersion } from '../traffic/traffic-managed';
import { meshError } from '../private/errors';
import { checkLabels } from '../private/labels';
import { EXISTING_METRIC_TEMPLATES_ANNOTATION, flaggerDuration, flaggerOwnedNames, flaggerSeconds } from '../private/flagger';
import { outputMap, withPlainKeys } from '../private/plain-keys';
import { constructTopology } from '../private/topology';
import { checkDnsLabel, checkInteger, checkUnique } from '../private/validate';
import { addWarning } from '../private/warnings';

/**
 * Progressive delivery of a MeshApp with Flagger on Istio: a flagger.app/v1beta1 Canary targeting the app's
 * Deployment. Flagger then owns the Services `<name>`, `<name>-primary`, `<name>-canary`, the VirtualService
 * and the DestinationRules, so the app stops emitting them (`app.service`, `app.destinationRule` and `app.virtualService`
 * are then `undefined`).
 *
 * @example
 * new CanaryRelease(chart, 'podinfo-canary', {
 *   app: podinfo,
 *   strategy: CanaryStrategy.progressive({ stepWeight: 10, maxWeight: 50 }),
 *   webhooks: [CanaryWebhook.loadTest()],
 * });
 * @see https://docs.flagger.app/tutorials/istio-progressive-delivery
 */
export class CanaryRelease extends Construct {
  /** metadata.name of the Canary. */
  public readonly name: string;
  /** Namespace of the app and the Canary. */
  public readonly namespace: string;
  /** The app released. */
  public readonly app: MeshApp;
  /** The strategy. */
  public readonly strategy: CanaryStrategy;
  /** Name of the apex Service Flagger creates (the app's name). */
  public readonly serviceName: string;
  /** Name of the primary Service Flagger creates (`<service>-primary`). */
  public readonly primaryServiceName: string;
  /** Name of the canary Service Flagger creates (`<service>-canary`). */
  public readonly canaryServiceName: string;
  /** Name of the Deployment Flagger targets (`targetRef`): the app version's Deployment. */
  public readonly targetDeploymentName: string;
  /** Name of the primary Deployment Flagger creates: `<target Deployment>-primary`. */
  public readonly primaryDeploymentName: string;
  /** Name of the HorizontalPodAutoscaler Flagger copies for the primary (`autoscalerRef`). */
  public readonly autoscalerName: string;
  /** Name of the primary HorizontalPodAutoscaler Flagger creates: `<autoscaler>-primary`. */
  public readonly primaryAutoscalerName: string;
  /**
   * Labels of the primary pods: Flagger rewrites the target's selector label to `app: <app>-primary` (and keeps the
   * others, e.g. `app.kubernetes.io/name: <app>`). NetworkPolicy peers and selectors of the primary alone use these.
   */
  public readonly primaryPodSelector: Record<string, string>;
  /**
   * The HorizontalPodAutoscaler `<target Deployment>` with minReplicas = maxReplicas = the app's replicas, created when
   * the app has fixed replicas: Flagger scales the primary through a copy of it (`autoscalerRef`), so the primary runs
   * the app's replicas (without one Flagger starts it with the target's replicas, 1 once they are left to Flagger).
   */
  public readonly fixedReplicasAutoscaler?: kplus.k8s.KubeHorizontalPodAutoscalerV2;
  /** The Canary object (escape hatch). */
  public readonly resource: ApiObject;

  private readonly _props: CanaryReleaseProps;
  /** What the app handed over: its routing, gateway bindings and traffic policy. */
  private readonly _target: TrafficManagedTarget;
  /** The one version of the app: the Deployment Flagger targets. */
  private readonly _version: TrafficManagedVersion;
  private readonly _port: CanaryPort;
  private readonly _interval: number;
  private readonly _metrics: CanaryMetric[];
  private readonly _webhooks: CanaryWebhook[] = [];
  private readonly _alerts: CanaryAlert[] = [];
  private readonly _allowedLoadTesters = new Set<string>();

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    this._props = props;
    this.app = props.app;
    this.namespace = props.app.namespace;
    this.name = checkDnsLabel(this, 'name', props.name ?? props.app.name);
    this.strategy = props.strategy ?? CanaryStrategy.progressive();
    this.serviceName = props.app.name;
    const owned = flaggerOwnedNames(this.serviceName);
    this.primaryServiceName = owned.primary;
    this.canaryServiceName = owned.canary;

    this._target = this._takeOver(props.app);
    this._version = this._target.versions[0];
    this.targetDeploymentName = this._version.deploymentName;
    this.primaryDeploymentName = `${this.targetDeploymentName}-primary`;
    this.primaryPodSelector = { app: `${this.app.name}-primary` };
    if (this._version.autoscalerName) {
      this.autoscalerName = this._version.autoscalerName;
    } else {
      // Fixed replicas: Flux must not set spec.replicas (Flagger scales the target to 0 and back), and Flagger would
      // start the primary with the target's replicas (1 once they are unset). An HPA pinned to the replicas keeps them:
      // Flagger copies it for the primary, and an HPA leaves a Deployment scaled to 0 alone.
      const replicas = checkInteger(props.app, 'replicas', this._version.replicas ?? 1, 1);
      this.autoscalerName = this.targetDeploymentName;
      this.fixedReplicasAutoscaler = new kplus.k8s.KubeHorizontalPodAutoscalerV2(this, 'FixedReplicas', {
        metadata: { name: this.autoscalerName, namespace: this.namespace },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.targetDeploymentName },
          minReplicas: replicas,
          maxReplicas: replicas,
        },
      });
    }
    this.primaryAutoscalerName = `${this.autoscalerName}-primary`;
    this._primaryReplicas(); // throw early
    this._port = this._resolvePort();
    this._interval = flaggerSeconds(this, 'interval', props.interval ?? Duration.minutes(1));
    flaggerDuration(this, 'interval', props.interval ?? Duration.minutes(1));
    checkInteger(this, 'threshold', props.threshold ?? 5, 1, 1000);
    if (props.progressDeadline) checkInteger(this, 'progressDeadline', flaggerSeconds(this, 'progressDeadline', props.progressDeadline), 1);
    this.strategy._render(this, this.app.host); // throw early
    if (this._port.tcp) this._checkTcp();
    this._metrics = props.metrics ?? [CanaryMetric.requestSuccessRate(), CanaryMetric.requestDuration()];
    this._metrics.forEach((m, i) => m._render(this, `metrics[${i}]`, this.namespace));
    checkUnique(this, 'metrics[].name', this._metrics, (m) => m.name);
    for (const w of props.webhooks ?? []) this.addWebhook(w);
    for (const a of props.alerts ?? []) this.addAlert(a);
    if (props.trafficPolicy) renderTrafficPolicy(this, 'trafficPolicy', props.trafficPolicy);
    this._renderService(); // throw early on routing the app has now; rendered again (lazily) at synth

    this._allowLoadTestersIfDenied();
    this.node.addValidation({ validate: () => this._validateLoadTesterAccess() });
    this.node.addValidation({ validate: () => this._warnFlaggerCannotReachLoadTesters() });

    // Keys from data (header names, labels) are escaped in the spec and restored once cdk8s rendered it.
    this.resource = withPlainKeys(new flagger.Canary(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        annotations: this._renderAnnotations(),
      },
      spec: Lazy.any({ produce: () => this._renderSpec() }) as unknown as flagger.CanarySpec,
    }));
  }

  /** `http://<name>-canary.<namespace>:<port>/`: the canary Service, for load tests and acceptance tests. */
  public get canaryUrl(): string {
    return `http://${this.canaryServiceName}.${this.namespace}:${this._port.port}/`;
  }

  /**
   * Whether the app's pods accept only mTLS: the mode the mesh topology resolves for them is STRICT (a PeerAuthentication
   * selecting them, else the namespace's, else the mesh-wide one in the root namespace; Istio's default is PERMISSIVE).
   * The Canary's DestinationRules then use ISTIO_MUTUAL. The same answer the analysis rules give for the output.
   */
  public get strictMtls(): boolean {
    return constructTopology(this).workloadMode(this.namespace, this._version.podLabels).mode === 'STRICT';
  }

  /** The webhooks, in order. A copy. */
  public get webhooks(): CanaryWebhook[] {
    return [...this._webhooks];
  }

  /** Load testers the webhooks call: they must be able to reach the canary workload. */
  public get loadTesters(): LoadTester[] {
    return [...new Set(this._webhooks.map((w) => w.loadTester).filter((l): l is LoadTester => l !== undefined))];
  }

  /**
   * Adds a webhook. Throws when the `rollout` hooks together could take longer than the analysis interval
   * (Flagger calls them at every step, before the next one).
   */
  public addWebhook(webhook: CanaryWebhook): void {
    const field = `webhooks[${this._webhooks.length}]`;
    webhook._render(this, field, this._webhookContext()); // throw early
    if (this._webhooks.some((w) => w.name === webhook.name)) {
      throw meshError(this, `${field}.name`, 'must be unique among the webhooks', webhook.name, 'pass a distinct name to the webhook factory');
    }
    const all = [...this._webhooks, webhook];
    const rollout = all.map((w, i) => ({ w, i })).filter(({ w }) => w.type === 'rollout');
    const sum = rollout.reduce((s, { w, i }) => s + w._timeoutSeconds(this, `webhooks[${i}]`), 0);
    if (rollout.length > 0 && sum >= this._interval) {
      throw meshError(this, 'webhooks[].timeout', `of the rollout webhooks add up to ${sum}s, not less than the analysis interval (${this._interval}s)`,
        rollout.map(({ w, i }) => `${w.name}=${w._timeoutSeconds(this, `webhooks[${i}]`)}s`).join('+'),
        'lower the webhook timeouts (the load tester returns as soon as it started the command) or raise interval');
    }
    this._webhooks.push(webhook);
    if (this.resource && webhook.loadTester) this._allowLoadTestersIfDenied(); // later additions
  }

  /** Sends canary events to an AlertProvider. */
  public addAlert(alert: CanaryAlert): void {
    const name = alert.name ?? alert.provider.name;
    if (name.trim() === '') throw meshError(this, `alerts[${this._alerts.length}].name`, 'must not be empty', name, 'name the alert, e.g. "on-call Slack"');
    if (this._alerts.some((a) => (a.name ?? a.provider.name) === name)) {
      throw meshError(this, `alerts[${this._alerts.length}].name`, 'must be unique among the alerts', name, 'pass a distinct name');
    }
    this._alerts.push(alert);
  }

  /**
   * Lets the load testers of the webhooks call the app: ALLOW from the load tester's identity only
   * (`<trust domain>/ns/<namespace>/sa/<serviceAccount>`), not from every workload of its namespace.
   * Done automatically when ALLOW policies already apply to the app's pods (a deny-all of the namespace or of the mesh,
   * a namespace-wide ALLOW, or ALLOW policies on the app): then any caller not allowed is denied. Idempotent; returns
   * the policies.
   */
  public allowLoadTesters(): AuthorizationPolicy[] {
    return this.loadTesters.map((lt, i) => {
      if (!lt.namespace) {
        throw meshError(this, `loadTesters[${i}]`, 'has no known namespace, so no policy can let it reach the canary', lt.url,
          "pass LoadTester.at(url, { namespace: 'test' })");
      }
      this._allowedLoadTesters.add(lt.url);
      return this.app.allowFrom(lt.meshPeer());
    });
  }

  /**
   * Whether callers of the app need an explicit ALLOW: some ALLOW policy applies to its pods (a deny-all, a
   * namespace-wide ALLOW, or one selecting the app), as the mesh topology resolves it.
   */
  private _callersDenied(): boolean {
    return constructTopology(this).allowPoliciesApply(this.namespace, this._version.podLabels);
  }

  private _allowLoadTestersIfDenied(): void {
    if (this._callersDenied()) this.allowLoadTesters();
  }

  /**
   * Flagger runs without a sidecar (MeshPlatform installs it in istio-system) and calls the load tester in plaintext:
   * where the load tester's pods are STRICT, every webhook fails with a connection reset unless a LoadTesterAccess
   * opens its port. A warning, not an error: a Flagger with a sidecar calls it over mTLS.
   */
  private _warnFlaggerCannotReachLoadTesters(): string[] {
    const admitted = new Set(this.node.root.node.findAll().filter((c): c is LoadTesterAccess => c instanceof LoadTesterAccess).map((a) => a.loadTester.url));
    for (const lt of this.loadTesters) {
      if (!lt.namespace || admitted.has(lt.url)) continue;
      const mtls = constructTopology(this).workloadMode(lt.namespace, lt.podSelector);
      if (mtls.mode !== 'STRICT') continue;
      addWarning(this, 'canary:load-tester-strict', `'webhooks' call the load tester ${lt.url}, whose pods accept only mTLS (STRICT in namespace `
        + `"${lt.namespace}"), and Flagger calls webhooks without a sidecar: they would fail with a connection reset. `
        + `Fix: new LoadTesterAccess(scope, 'load-tester-access', { loadTester }) next to the load tester (or run Flagger with a sidecar)`);
    }
    return [];
  }

  private _validateLoadTesterAccess(): string[] {
    const missing = this.loadTesters.filter((lt) => !lt.namespace || !this._allowedLoadTesters.has(lt.url));
    if (missing.length === 0 || !this._callersDenied()) return [];
    return [`'webhooks' call load testers that authorization policies keep from reaching the canary (deny-all or ALLOW policies on "${this.app.name}"), `
      + `got ${JSON.stringify(missing.map((lt) => lt.url))}. Fix: call canary.allowLoadTesters() (done automatically when the policies exist before the CanaryRelease)`];
  }

  // ---- taking the app over ----

  /** Checks the app can be released by Flagger, then takes its traffic over. */
  private _takeOver(app: MeshApp): TrafficManagedTarget {
    const manager = app.trafficManager;
    if (manager) {
      throw meshError(this, 'app', manager instanceof CanaryRelease ? 'is already released by another CanaryRelease' : 'is already managed by another construct',
        manager.node.path, 'create one CanaryRelease per app');
    }
    if (app.versionNames.length !== 1) {
      throw meshError(this, 'app.versions', 'must hold exactly one version for a canary release (Flagger creates the primary from it and runs old and new side by side)',
        app.versionNames, `keep one version (e.g. ${JSON.stringify(app.versionNames[0])}) and release a new image by changing it; use static weights (splitTraffic) only without Flagger`);
    }
    if (!app.sidecarInjected) {
      throw meshError(this, 'app.sidecar', "must be true: Flagger's Istio router shifts traffic in the sidecars", false, 'remove sidecar: false from the app');
    }
    const target = app.markTrafficManaged(flaggerTrafficManagement(this, app.name));
    if (target.versions[0].hasTrafficPolicy) {
      throw meshError(app, 'versions[0].trafficPolicy', 'cannot be moved to the Canary (Flagger has no subsets)', '(version traffic policy)',
        "move it to the app's trafficPolicy (or the CanaryRelease's)");
    }
    return target;
  }

  // ---- rendering ----

  private _webhookContext(): WebhookContext {
    return { canaryUrl: this.canaryUrl, http: /^http(2)?(-|$)/.test(this._port.name) };
  }

  private _resolvePort(): CanaryPort {
    return resolveCanaryPort(this, this.app, this._target, this._props);
  }

  private _checkTcp(): void {
    checkTcpCanary(this, this.strategy._render(this, this.app.host), this._props.metrics);
  }

  private _renderSpec(): Record<string, unknown> {
    const v = this._version;
    const p = this._props;
    const ctx = this._webhookContext();
    const analysis: Record<string, unknown> = {
      interval: flaggerDuration(this, 'interval', p.interval ?? Duration.minutes(1)),
      threshold: p.threshold ?? 5,
      ...this.strategy._render(this, this.app.host),
      metrics: this._metrics.map((m, i) => m._render(this, `metrics[${i}]`, this.namespace)),
      webhooks: this._webhooks.length ? this._webhooks.map((w, i) => w._render(this, `webhooks[${i}]`, ctx)) : undefined,
      alerts: this._alerts.length
        ? this._alerts.map((a) => ({
          name: a.name ?? a.provider.name,
          severity: (a.severity ?? AlertSeverity.INFO).value,
          providerRef: { name: a.provider.name, namespace: a.provider.namespace === this.namespace ? undefined : a.provider.namespace },
        }))
        : undefined,
    };
    return {
      provider: 'istio',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: v.deploymentName },
      autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: this.autoscalerName, primaryScalerReplicas: this._primaryReplicas() },
      progressDeadlineSeconds: p.progressDeadline ? flaggerSeconds(this, 'progressDeadline', p.progressDeadline) : undefined,
      skipAnalysis: p.skipAnalysis ? true : undefined,
      service: this._renderService(),
      analysis,
    };
  }

  /** The Canary's `service` section: ports, routing moved over from the app (or given here), traffic policy. */
  private _renderService(): Record<string, unknown> {
    const t = this._target;
    const p = this._props;
    const out: Record<string, unknown> = {
      name: this.serviceName,
      port: this._port.port,
      targetPort: this._port.targetPort,
      portName: this._port.name,
    };
    // Flagger's Istio router renders TCP routes when appProtocol is tcp (and sets it on the Services' port).
    if (this._port.tcp) out.appProtocol = 'tcp';
    // Extra Service ports: Flagger copies the Deployment's other container ports onto the Services it generates
    // (_resolvePort checked they come out unchanged).
    if (t.ports.length > 1) out.portDiscovery = true;
    const meta = p.serviceMetadata ?? {};
    for (const k of ['apex', 'primary', 'canary'] as const) {
      const m = meta[k];
      if (!m || (!m.labels && !m.annotations)) continue;
      const labels = m.labels ? checkLabels(this, `serviceMetadata.${k}.labels`, m.labels) : undefined;
      if (labels && Object.prototype.hasOwnProperty.call(labels, 'app')) {
        throw meshError(this, `serviceMetadata.${k}.labels[app]`, 'is set by Flagger to the Service name (its selector label); yours would be overwritten',
          labels.app, 'remove it, or use another key (e.g. app.kubernetes.io/part-of)');
      }
      out[k] = { labels: labels ? outputMap(labels) : undefined, annotations: m.annotations ? outputMap(m.annotations) : undefined };
    }

    // Gateways and hosts.
    const bindings = t.gatewayBindings();
    bindings.forEach((b) => {
      if (b.routesField) {
        throw meshError(this.app, b.routesField, 'cannot be moved to the Canary: Flagger renders one route for the mesh and every gateway', '(gateway routes)',
          'remove the routes from exposeVia() and set the routing on the app (or on the CanaryRelease)');
      }
    });
    const gateways = p.gateways ? p.gateways.map((g) => g.ref) : bindings.map((b) => b.ref);
    const hosts = p.hosts ?? bindings.flatMap((b) => [...b.hosts]);
    // Flagger binds its one VirtualService to the gateways and the mesh: Istio rejects `*` on the mesh gateway, and
    // Flagger then drops the Service host (it counts `*` as covering it), so the Canary would never initialise.
    if (hosts.includes('*')) {
      const binding = p.hosts ? undefined : bindings.find((b) => b.hosts.includes('*'));
      throw meshError(binding ? this.app : this, binding ? `exposeVia(${binding.ref}).hosts` : 'hosts',
        "must not be '*' for an app released by Flagger: its VirtualService is bound to the mesh gateway too, where Istio forbids the '*' host", '*',
        `list the hosts the gateway serves for the app (exposeVia(gateway, { hosts: ['${this.app.name}.example.com'] })); the Service name covers the mesh`);
    }
    if (p.delegation) {
      if (gateways.length > 0 || hosts.length > 0) {
        throw meshError(this, 'delegation', 'cannot be combined with gateways or hosts (Flagger refuses a delegate VirtualService with them)',
          { gateways, hosts }, 'bind the gateways and hosts in the root VirtualService that delegates to the Canary, and drop them (and exposeVia()) here');
      }
      out.delegation = true;
    }
    if (gateways.length > 0) out.gateways = [...new Set([...gateways, 'mesh'])];
    if (hosts.length > 0) {
      checkUnique(this, 'hosts', [...new Set(hosts)], (x) => x);
      out.hosts = [...new Set(hosts)];
    }

    // Routing: explicit props win; else the app's single route moves over.
    const explicit: HttpRouteOptions = {
      match: p.match, retries: p.retries, timeout: p.timeout, headers: p.headers, corsPolicy: p.corsPolicy, rewrite: p.rewrite,
    };
    const version = this._version.name;
    const routes = t.routes();
    if (routes.length > 1) {
      throw meshError(this.app, `routes[1]`, `cannot be moved to the Canary: Flagger renders a single route (the app has ${routes.length})`,
        routes.map((r) => r.field), 'keep one route on the app (match, retries, timeout, headers, corsPolicy, rewrite), or pass them to the CanaryRelease');
    }
    const fromApp = routes.length === 1 ? convertRoute(this.app, routes[0].field, routes[0].route, version) : {};
    const fromProps = convertRoute(this, 'props', renderHttpRoute(this, 'props', explicit, { host: this.app.host, versions: [version] }), version);
    if (this._port.tcp) {
      const [field, value] = Object.keys(fromProps).length > 0 ? ['props', fromProps] : [routes[0]?.field, fromApp];
      const key = Object.keys(value)[0];
      if (key) {
        throw meshError(routes.length === 1 && field !== 'props' ? this.app : this, `${field === 'props' ? '' : `${field}.`}${key}`,
          'is HTTP routing, and the canary port is TCP (Flagger renders a TCP route)', value[key], 'remove it, or release an HTTP port');
      }
    }
    Object.assign(out, fromApp, fromProps);

    // Traffic policy.
    let policy: Record<string, unknown> | undefined;
    const appPolicy = t.trafficPolicy();
    if (p.trafficPolicy) policy = convertTrafficPolicy(this, 'trafficPolicy', renderTrafficPolicy(this, 'trafficPolicy', p.trafficPolicy));
    else if (appPolicy) policy = convertTrafficPolicy(this.app, appPolicy.field, appPolicy.rendered);
    if (this.strictMtls && !(policy?.tls)) policy = { ...policy, tls: { mode: 'ISTIO_MUTUAL' } };
    if (policy) out.trafficPolicy = policy;
    return out;
  }

  private _primaryReplicas(): Record<string, number> | undefined {
    const r = this._props.primaryReplicas;
    if (!r || (r.minReplicas === undefined && r.maxReplicas === undefined)) return undefined;
    const min = r.minReplicas === undefined ? undefined : checkInteger(this, 'primaryReplicas.minReplicas', r.minReplicas, 1);
    const max = r.maxReplicas === undefined ? undefined : checkInteger(this, 'primaryReplicas.maxReplicas', r.maxReplicas, 1);
    if (min !== undefined && max !== undefined && min > max) {
      throw meshError(this, 'primaryReplicas.minReplicas', `must not exceed maxReplicas (${max})`, min, 'lower minReplicas or raise maxReplicas');
    }
    return { ...(min !== undefined ? { minReplicas: min } : {}), ...(max !== undefined ? { maxReplicas: max } : {}) };
  }

  /** The Canary's annotations: the MetricTemplates it uses that exist in the cluster already (see EXISTING_METRIC_TEMPLATES_ANNOTATION). */
  private _renderAnnotations(): Record<string, string> | undefined {
    const existing = [...new Set(this._metrics.map((m) => m.template).filter((t) => t !== undefined && !(t instanceof MetricTemplate))
      .map((t) => `${t!.namespace}/${t!.name}`))].sort();
    return existing.length > 0 ? { [EXISTING_METRIC_TEMPLATES_ANNOTATION]: existing.join(',') } : undefined;
  }
}
