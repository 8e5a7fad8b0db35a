import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import * as flagger from '../../imports/flagger.app';
import { meshError } from '../private/errors';
import { namespaceOf } from '../private/names';
import { checkDnsSubdomain } from '../private/validate';

/**
 * The chat systems Flagger can post canary events to.
 * @see https://docs.flagger.app/usage/alerting
 */
export class AlertProviderType {
  public static readonly SLACK = new AlertProviderType('slack');
  public static readonly MSTEAMS = new AlertProviderType('msteams');
  public static readonly DISCORD = new AlertProviderType('discord');
  public static readonly ROCKET = new AlertProviderType('rocket');
  public static readonly GCHAT = new AlertProviderType('gchat');

  private constructor(public readonly value: string) {}
}

/** A Flagger AlertProvider, defined here or already in the cluster. */
export interface IAlertProvider extends IConstruct {
  readonly name: string;
  readonly namespace: string;
}

/** Props of an `AlertProvider`. */
export interface AlertProviderProps {
  readonly type: AlertProviderType;
  /**
   * Secret with the provider's address under the key `address` (the webhook URL; for a Slack bot token,
   * `https://slack.com/api/chat.postMessage`), and for Slack optionally the bot token under `token`; created in the
   * cluster (SOPS, Sealed Secrets, External Secrets). Webhook URLs carry tokens, so they are never written to dist/:
   * there is deliberately no `address` prop. The address in the Secret takes precedence over any in the spec.
   * @see https://docs.flagger.app/usage/alerting#canary-configuration
   */
  readonly secret: kplus.ISecret;
  /**
   * Channel to post to (Slack, Rocket).
   * @default - 'general' (Flagger's default)
   */
  readonly channel?: string;
  /**
   * Name messages are posted as.
   * @default - 'flagger' (Flagger's default)
   */
  readonly username?: string;
  /**
   * HTTP(S) proxy Flagger posts through (`proxy`), e.g. 'http://proxy.internal:3128'. No credentials in it: dist/ is
   * committed.
   * @default - no proxy
   */
  readonly proxy?: string;
  /**
   * metadata.name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * metadata.namespace.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * Where Flagger sends canary alerts (flagger.app/v1beta1 AlertProvider). Referenced from a
 * CanaryRelease with `alerts` or `canary.addAlert(provider, severity)`.
 *
 * @see https://docs.flagger.app/usage/alerting#canary-configuration
 */
export class AlertProvider extends Construct implements IAlertProvider {
  /** An AlertProvider that already exists in the cluster. */
  public static fromAlertProviderName(scope: Construct, id: string, name: string, namespace?: string): IAlertProvider {
    const c = new Construct(scope, id);
    checkDnsSubdomain(c, 'name', name);
    return Object.assign(c, { name, namespace: namespaceOf(scope, namespace) });
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly type: AlertProviderType;
  /** The generated flagger.app AlertProvider (escape hatch). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: AlertProviderProps) {
    super(scope, id);
    this.name = checkDnsSubdomain(this, 'name', props.name ?? id);
    this.namespace = namespaceOf(this, props.namespace);
    this.type = props.type;
    if (props.channel !== undefined && /^https?:\/\//.test(props.channel)) {
      throw meshError(this, 'channel', 'is a channel name, not a URL', props.channel, 'put the webhook URL in the Secret under the key "address"');
    }
    if (props.proxy !== undefined) {
      if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(props.proxy)) {
        throw meshError(this, 'proxy', 'must be an http(s) URL', props.proxy, "use a URL like 'http://proxy.internal:3128'");
      }
      if (/^https?:\/\/[^/]*@/.test(props.proxy)) {
        throw meshError(this, 'proxy', 'must not carry credentials (dist/ is committed to git)', props.proxy.replace(/\/\/[^@/]*@/, '//***@'),
          'use a proxy that authenticates the cluster another way, or remove the credentials');
      }
    }
    this.resource = new flagger.AlertProvider(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        type: this.type.value as flagger.AlertProviderSpecType,
        channel: props.channel,
        username: props.username,
        proxy: props.proxy,
        secretRef: { name: props.secret.name },
      },
    });
  }
}

/** Which canary events an alert gets. */
export class AlertSeverity {
  /** Every event (progress, promotion, failure). */
  public static readonly INFO = new AlertSeverity('info');
  /** Warnings and errors. */
  public static readonly WARN = new AlertSeverity('warn');
  /** Failures only (rollbacks). */
  public static readonly ERROR = new AlertSeverity('error');
  private constructor(public readonly value: string) {}
}

/** One alert of a canary. */
export interface CanaryAlert {
  /** Where to post. */
  readonly provider: IAlertProvider;
  /**
   * Which events to post.
   * @default AlertSeverity.INFO
   */
  readonly severity?: AlertSeverity;
  /**
   * Alert name: free text, e.g. "on-call Slack".
   * @default - the provider's name
   */
  readonly name?: string;
}
