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
   * Secret holding the webhook URL under the key `address` (and optionally `proxy`, `token`), created in
   * the cluster (SOPS, Sealed Secrets, External Secrets). Webhook URLs carry tokens, so they are never
   * written to dist/: there is deliberately no `address` prop.
   */
  readonly secret: kplus.ISecret;
  /**
   * Channel to post to (Slack, Rocket).
   * @default - the channel the webhook is bound to
   */
  readonly channel?: string;
  /**
   * Name messages are posted as.
   * @default - the webhook's default user
   */
  readonly username?: string;
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
    this.resource = new flagger.AlertProvider(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        type: this.type.value as flagger.AlertProviderSpecType,
        channel: props.channel,
        username: props.username,
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
   * Alert name.
   * @default - the provider's name
   */
  readonly name?: string;
}
