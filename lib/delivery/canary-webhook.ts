import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as flagger from '../../imports/flagger.app';
import type { IMeshPeer, MeshIdentity } from '../core/mesh-peer';
import { meshError } from '../private/errors';
import { outputMap } from '../private/plain-keys';
import { FLAGGER_DEFAULT_WEBHOOK_TIMEOUT_SECONDS, flaggerDuration, flaggerSeconds } from '../private/flagger';
import { checkInteger } from '../private/validate';

/** Options of `LoadTester.at()`. */
export interface LoadTesterOptions {
  /**
   * Namespace the load tester runs in (for authorization policies of STRICT namespaces).
   * @default - the namespace in the URL's host (`flagger-loadtester.<namespace>`)
   */
  readonly namespace?: string;
  /**
   * ServiceAccount the load tester's pods run as: the identity the canary's authorization policies allow.
   * @default 'default' (Flagger's loadtester Helm chart sets none unless `serviceAccountName` or `rbac.create` is set)
   */
  readonly serviceAccount?: string;
  /**
   * Labels of the load tester's pods.
   * @default { app: 'loadtester' } (the loadtester Helm chart's selector: the chart name)
   */
  readonly podSelector?: Record<string, string>;
  /**
   * Container port the load tester listens on (behind the Service port 80).
   * @default 8080
   */
  readonly containerPort?: number;
}

/**
 * The Flagger load tester service (ghcr.io/fluxcd/flagger-loadtester) that runs load tests, acceptance tests
 * and manual gates for the analysis.
 * @see https://docs.flagger.app/usage/webhooks#load-testing
 */
export class LoadTester {
  /** `http://flagger-loadtester.test/` (the Helm chart installed in namespace `test`, as in Flagger's tutorials). */
  public static readonly DEFAULT = LoadTester.at('http://flagger-loadtester.test/');

  /** A load tester at `url`. */
  public static at(url: string, options: LoadTesterOptions = {}): LoadTester {
    const base = url.endsWith('/') ? url : `${url}/`;
    const m = /^https?:\/\/[a-z0-9-]+\.([a-z0-9-]+)(\.svc(\.[a-z0-9.-]+)?)?(:[0-9]+)?\//.exec(base);
    return new LoadTester(base, options.namespace ?? m?.[1], options.serviceAccount ?? 'default', { ...(options.podSelector ?? { app: 'loadtester' }) },
      options.containerPort ?? 8080);
  }

  private constructor(
    /** Base URL, ending with '/'. */
    public readonly url: string,
    /** Namespace of the load tester, when known. */
    public readonly namespace: string | undefined,
    /** ServiceAccount of its pods. */
    public readonly serviceAccount: string,
    /** Labels of its pods. */
    public readonly podSelector: Readonly<Record<string, string>>,
    /** Container port it listens on. */
    public readonly containerPort: number,
  ) {}

  /**
   * The load tester as a mesh workload (`loadtester-<namespace>`): its ServiceAccount for policies that let it in, its
   * pod labels for policies that select it. Throws when its namespace is unknown.
   */
  public meshPeer(): IMeshPeer {
    const namespace = this.namespace;
    if (!namespace) throw new Error(`LoadTester ${this.url} has no known namespace. Fix: pass LoadTester.at(url, { namespace })`);
    const identity: MeshIdentity = {
      name: `loadtester-${namespace}`, namespace, serviceAccounts: [this.serviceAccount], sidecar: true, podSelector: { ...this.podSelector },
    };
    return { meshIdentity: () => identity };
  }
}

/** Options every webhook takes. */
export interface WebhookOptions {
  /**
   * Webhook name: free text, unique within the canary.
   * @default - the factory's name, e.g. 'load-test' or the hook type
   */
  readonly name?: string;
  /**
   * Timeout of each call.
   * @default - the factory's default (Flagger's is 10s)
   */
  readonly timeout?: Duration;
  /**
   * Retries of a failed call (`retries`).
   * @default - no retries
   */
  readonly retries?: number;
  /**
   * Send no alert when the webhook fails (`muteAlert`).
   * @default false
   */
  readonly muteAlert?: boolean;
}

/** Options of a command the load tester runs. */
export interface LoadTesterCommandOptions extends WebhookOptions {
  /**
   * The load tester that runs the command.
   * @default LoadTester.DEFAULT (http://flagger-loadtester.test/)
   */
  readonly loadTester?: LoadTester;
  /**
   * Log the command's output in the load tester (`metadata.logCmdOutput: "true"`).
   * @default false
   */
  readonly logCmdOutput?: boolean;
}

/** Options of `CanaryWebhook.loadTest()` and `CanaryWebhook.preRolloutLoadTest()`. */
export interface LoadTestOptions extends LoadTesterCommandOptions {
  /**
   * The command to run.
   * @default - `hey -z <duration> -q <qps> -c <concurrency> http://<svc>-canary.<namespace>:<port>/` (HTTP/1 ports only)
   */
  readonly cmd?: string;
  /**
   * How long each `hey` run lasts.
   * @default Duration.minutes(1)
   */
  readonly duration?: Duration;
  /**
   * Requests per second per worker.
   * @default 10
   */
  readonly qps?: number;
  /**
   * Concurrent workers.
   * @default 2
   */
  readonly concurrency?: number;
  /**
   * Request headers, e.g. the cookie of an A/B test.
   * @default - none
   */
  readonly headers?: Record<string, string>;
}

/** Options of `CanaryWebhook.acceptanceTest()`. */
export interface AcceptanceTestOptions extends LoadTesterCommandOptions {
  /** Shell command run by the load tester before traffic shifting, e.g. `curl -sf http://podinfo-canary.test:9898/healthz`. */
  readonly cmd: string;
}

/** Options of the manual gates (confirm-rollout, confirm-promotion, confirm-traffic-increase) and rollback. */
export interface GateOptions extends WebhookOptions {
  /**
   * Gate URL: Flagger proceeds while it answers 200 (rollback: rolls back when it answers 200).
   * @default - the load tester's gate: `<loadTester>gate/check` (rollback: `<loadTester>rollback/check`)
   */
  readonly url?: string;
  /**
   * Load tester hosting the default gate URL.
   * @default LoadTester.DEFAULT
   */
  readonly loadTester?: LoadTester;
}

/** Options of a webhook calling your own service. */
export interface HttpWebhookOptions extends WebhookOptions {
  /** URL Flagger POSTs the canary event to. No credentials in it: dist/ is committed. */
  readonly url: string;
  /**
   * Metadata sent in the payload.
   * @default - none
   */
  readonly metadata?: Record<string, string>;
}

/** What a webhook needs to know about its canary when it is rendered. @internal */
export interface WebhookContext {
  /** `http://<svc>-canary.<namespace>:<port>/` */
  readonly canaryUrl: string;
  /** Whether the canary port speaks HTTP/1 (hey can load-test it). */
  readonly http: boolean;
}

/**
 * A Flagger webhook: load tests, acceptance tests, manual gates and notifications around the analysis.
 * @see https://docs.flagger.app/usage/webhooks
 */
export class CanaryWebhook {
  /**
   * `rollout` hook: starts a load test against the canary at every analysis step, so the metrics have traffic. The load
   * tester runs the command in the background (`type: cmd`) and answers at once.
   */
  public static loadTest(options: LoadTestOptions = {}): CanaryWebhook {
    return CanaryWebhook.loadTestHook('rollout', options);
  }

  /**
   * `pre-rollout` hook: starts a load test against the canary before traffic is shifted (e.g. to warm it up), in the
   * background (`type: cmd`): Flagger goes on at once and the test runs on during the first steps.
   * @see https://docs.flagger.app/usage/webhooks#load-testing
   */
  public static preRolloutLoadTest(options: LoadTestOptions = {}): CanaryWebhook {
    return CanaryWebhook.loadTestHook('pre-rollout', options);
  }

  /**
   * `pre-rollout` hook: a command the load tester runs against the canary before any traffic is shifted (`type: bash`,
   * blocking: Flagger waits for it); failing it stops the release.
   */
  public static acceptanceTest(options: AcceptanceTestOptions): CanaryWebhook {
    const lt = options.loadTester ?? LoadTester.DEFAULT;
    return new CanaryWebhook('pre-rollout', options.name ?? 'acceptance-test', lt.url, { ...options, timeout: options.timeout ?? Duration.seconds(30) }, lt,
      (scope, f) => ({ type: 'bash', cmd: checkCmd(scope, `${f}.cmd`, options.cmd), ...logCmdOutput(options) }));
  }

  /** `confirm-rollout` gate: the canary is not scaled up until the gate opens (manual approval). */
  public static confirmRollout(options: GateOptions = {}): CanaryWebhook {
    return CanaryWebhook.gate('confirm-rollout', 'gate/check', options);
  }

  /** `confirm-promotion` gate: the analysis waits at the last step until the gate opens. */
  public static confirmPromotion(options: GateOptions = {}): CanaryWebhook {
    return CanaryWebhook.gate('confirm-promotion', 'gate/check', options);
  }

  /** `confirm-traffic-increase` gate: each weight increase waits for the gate. */
  public static confirmTrafficIncrease(options: GateOptions = {}): CanaryWebhook {
    return CanaryWebhook.gate('confirm-traffic-increase', 'gate/check', options);
  }

  /** `rollback` hook: while it answers 200, Flagger rolls the canary back (manual abort). */
  public static rollback(options: GateOptions = {}): CanaryWebhook {
    return CanaryWebhook.gate('rollback', 'rollback/check', options);
  }

  /** `post-rollout` hook: called after promotion or rollback (e.g. to notify a deploy tracker). */
  public static postRollout(options: HttpWebhookOptions): CanaryWebhook {
    return CanaryWebhook.http('post-rollout', options);
  }

  /** `event` hook: receives every Flagger event of the canary. */
  public static event(options: HttpWebhookOptions): CanaryWebhook {
    return CanaryWebhook.http('event', options);
  }

  private static loadTestHook(type: string, options: LoadTestOptions): CanaryWebhook {
    const lt = options.loadTester ?? LoadTester.DEFAULT;
    const name = options.name ?? (type === 'rollout' ? 'load-test' : 'pre-rollout-load-test');
    return new CanaryWebhook(type, name, lt.url, { ...options, timeout: options.timeout ?? Duration.seconds(5) }, lt, (scope, f, ctx) => {
      if (options.cmd !== undefined) return { type: 'cmd', cmd: checkCmd(scope, `${f}.cmd`, options.cmd), ...logCmdOutput(options) };
      if (!ctx.http) {
        throw meshError(scope, `${f}.cmd`, 'has no default for a canary port that is not HTTP/1 (hey speaks HTTP/1)', undefined,
          "pass cmd, e.g. 'ghz -z 1m --insecure --call <package.Service/Method> <svc>-canary.<ns>:<port>' for gRPC");
      }
      const duration = flaggerDuration(scope, `${f}.duration`, options.duration ?? Duration.minutes(1));
      const qps = checkInteger(scope, `${f}.qps`, options.qps ?? 10, 1, 100_000);
      const c = checkInteger(scope, `${f}.concurrency`, options.concurrency ?? 2, 1, 10_000);
      const headers = Object.entries(options.headers ?? {}).map(([k, v]) => {
        if (/['\n]/.test(k + v)) throw meshError(scope, `${f}.headers`, "must not contain quotes or newlines", `${k}: ${v}`, 'remove them from the header');
        return ` -H '${k}: ${v}'`;
      }).join('');
      return { type: 'cmd', cmd: `hey -z ${duration} -q ${qps} -c ${c}${headers} ${ctx.canaryUrl}`, ...logCmdOutput(options) };
    });
  }

  private static gate(type: string, path: string, options: GateOptions): CanaryWebhook {
    const lt = options.loadTester ?? LoadTester.DEFAULT;
    return new CanaryWebhook(type, options.name ?? type, options.url ?? `${lt.url}${path}`, options, options.url ? undefined : lt, () => undefined);
  }

  private static http(type: string, options: HttpWebhookOptions): CanaryWebhook {
    return new CanaryWebhook(type, options.name ?? type, options.url, options, undefined,
      () => (options.metadata ? { ...options.metadata } : undefined));
  }

  private constructor(
    /** Flagger hook type: 'rollout', 'pre-rollout', 'confirm-rollout', ... */
    public readonly type: string,
    /** Webhook name (unique within a canary). */
    public readonly name: string,
    /** URL Flagger calls. */
    public readonly url: string,
    private readonly _options: WebhookOptions,
    /** The load tester this hook calls, if any (it must be allowed to reach the canary). */
    public readonly loadTester: LoadTester | undefined,
    private readonly _metadata: (scope: IConstruct, field: string, ctx: WebhookContext) => Record<string, string> | undefined,
  ) {}

  /** Timeout in seconds, as Flagger applies it (10s when unset). @internal */
  public _timeoutSeconds(scope: IConstruct, field: string): number {
    const t = this._options.timeout;
    return t ? flaggerSeconds(scope, `${field}.timeout`, t) : FLAGGER_DEFAULT_WEBHOOK_TIMEOUT_SECONDS;
  }

  /** @internal */
  public _render(scope: IConstruct, field: string, ctx: WebhookContext): flagger.CanarySpecAnalysisWebhooks {
    if (this.name.trim() === '') throw meshError(scope, `${field}.name`, 'must not be empty', this.name, 'name the webhook, e.g. "load test"');
    checkUrl(scope, `${field}.url`, this.url);
    const o = this._options;
    return {
      name: this.name,
      type: this.type as flagger.CanarySpecAnalysisWebhooksType,
      url: this.url,
      timeout: o.timeout ? flaggerDuration(scope, `${field}.timeout`, o.timeout) : undefined,
      retries: o.retries !== undefined ? checkInteger(scope, `${field}.retries`, o.retries, 0, 100) : undefined,
      muteAlert: o.muteAlert ? true : undefined,
      metadata: outputMapOf(this._metadata(scope, field, ctx)),
    };
  }
}

function logCmdOutput(options: LoadTesterCommandOptions): Record<string, string> {
  return options.logCmdOutput ? { logCmdOutput: 'true' } : {};
}

function outputMapOf(map: Record<string, string> | undefined): Record<string, string> | undefined {
  return map === undefined ? undefined : outputMap(map);
}

function checkCmd(scope: IConstruct, field: string, cmd: string): string {
  if (cmd.trim() === '') throw meshError(scope, field, 'must not be empty', cmd, 'pass the command the load tester runs');
  return cmd;
}

function checkUrl(scope: IConstruct, field: string, url: string): void {
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) {
    throw meshError(scope, field, 'must be an http(s) URL', url, 'use a URL like "http://flagger-loadtester.test/"');
  }
  if (/^https?:\/\/[^/]*@/.test(url) || /[?&](token|key|secret|password|sig)=/i.test(url)) {
    throw meshError(scope, field, 'must not carry credentials (dist/ is committed to git)', url.replace(/\/\/[^@/]*@/, '//***@').replace(/=([^&]*)/g, '=***'),
      'authenticate the webhook receiver by mesh identity (AuthorizationPolicy), or send events through an AlertProvider with a Secret');
  }
}
