import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import type { MeshAppAutoscaling, MeshAppProps, MeshAppVersion, MeshPort } from './mesh-app-props';
import { meshError } from '../private/errors';
import { checkDnsLabel, checkInteger, checkUnique } from '../private/validate';

/*
 * Workload rendering of a MeshApp: port, scaling and container checks, and the Deployment, Service, autoscaler and
 * disruption budget of each version. Internal: not exported from lib/index.ts.
 */

/**
 * Istio protocol prefixes a Service port name may start with.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
const ISTIO_PROTOCOLS = ['grpc-web', 'http2', 'https', 'http', 'grpc', 'tcp', 'tls', 'mongo', 'mysql', 'redis'] as const;

/** UID of the Istio sidecar; an application container must never run as it. */
const ISTIO_PROXY_UID = 1337;

/** Ports the Istio sidecar listens on inside the pod; the app cannot use them. */
const ISTIO_RESERVED_PORTS = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

/** Pod label Istio's injector reads (the label form replaced the annotation). */
export const SIDECAR_INJECT_LABEL = 'sidecar.istio.io/inject';

/** IANA_SVC_NAME: what a *container* port name must be (Service port names may be longer). */
const IANA_SVC_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

/** The pod label cdk8s-plus derives from the construct path (see renderDeploymentSpec). */
const CDK8S_ADDR_LABEL = 'cdk8s.io/metadata.addr';

/** Environment variable names the API server accepts. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** A validated Service port. */
export interface PortSpec {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  /** The Istio protocol of the name's prefix (rendered as appProtocol). */
  readonly protocol: string;
}

/**
 * A Deployment whose spec passes through the owning MeshApp at synth time, so the app decides the
 * selector in one place, late (cdk8s-plus renders `_toKube()` lazily; it is public in its typings).
 */
class VersionDeployment extends kplus.Deployment {
  private readonly _renderSpec: (spec: kplus.k8s.DeploymentSpec) => kplus.k8s.DeploymentSpec;

  constructor(scope: Construct, id: string, props: kplus.DeploymentProps, render: (spec: kplus.k8s.DeploymentSpec) => kplus.k8s.DeploymentSpec) {
    super(scope, id, props);
    this._renderSpec = render;
  }

  /** @internal */
  public override _toKube(): kplus.k8s.DeploymentSpec {
    return this._renderSpec(super._toKube());
  }
}

/** Replicas of a version: the autoscaler's minimum, else the version's or the app's `replicas`, else 2. */
export function minReplicas(props: MeshAppProps, version: MeshAppVersion): number {
  return props.autoscaling ? (props.autoscaling.minReplicas ?? 2) : (version.replicas ?? props.replicas ?? 2);
}

/** What the app decides for a version's Deployment at render time. */
export interface DeploymentDecisions {
  /** `spec.selector.matchLabels`. */
  readonly selector: Readonly<Record<string, string>>;
  /** Labels added to the pods. */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Leave `spec.replicas` out (a controller scales the Deployment). */
  readonly dropReplicas?: boolean;
}

/** The Deployment spec as cdk8s-plus rendered it, with the app's decisions applied. */
export function renderDeploymentSpec(spec: kplus.k8s.DeploymentSpec, decisions: DeploymentDecisions): kplus.k8s.DeploymentSpec {
  const out = { ...spec, selector: { matchLabels: { ...decisions.selector } } };
  // cdk8s-plus stamps pods with `cdk8s.io/metadata.addr` (construct path + hash). Nothing selects on it here
  // (selectors use app/version), and keeping it would restart every pod whenever the construct moves.
  const { [CDK8S_ADDR_LABEL]: _addr, ...labels } = out.template.metadata?.labels ?? {};
  out.template = { ...out.template, metadata: { ...out.template.metadata, labels: { ...labels, ...decisions.podLabels } } };
  if (decisions.dropReplicas) delete (out as { replicas?: number }).replicas;
  return out;
}

/** The Service `<name>` selecting `app: <name>`, with an appProtocol per port. */
export function createService(scope: Construct, name: string, namespace: string, ports: readonly PortSpec[]): kplus.Service {
  const service = new kplus.Service(scope, 'Service', {
    metadata: { name, namespace },
    ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: kplus.Protocol.TCP })),
  });
  service.selectLabel('app', name);
  // cdk8s-plus ServicePort has no appProtocol (STYLE §6). Istio reads it before the port name, and other
  // tools (Gateway API, kube-proxy-less dataplanes) only read appProtocol.
  ports.forEach((p, i) => ApiObject.of(service).addJsonPatch(JsonPatch.add(`/spec/ports/${i}/appProtocol`, p.protocol)));
  return service;
}

/** Options of `createDeployment()`. */
export interface CreateDeploymentOptions {
  readonly appName: string;
  readonly namespace: string;
  readonly props: MeshAppProps;
  readonly version: MeshAppVersion;
  readonly ports: readonly PortSpec[];
  readonly serviceAccount: kplus.ServiceAccount;
  /** Selector at creation (cdk8s-plus APIs read it); the rendered one comes from `render`. */
  readonly selector: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Applied to the spec cdk8s-plus renders, at synth time. */
  readonly render: (spec: kplus.k8s.DeploymentSpec) => kplus.k8s.DeploymentSpec;
}

/** The Deployment `<app>-<version>` (id `Deployment-<version>`), with the secure container defaults. */
export function createDeployment(scope: Construct, o: CreateDeploymentOptions): kplus.Deployment {
  const p = o.props;
  const version = o.version;
  const first = o.ports[0];
  const sc = p.securityContext ?? {};
  // Container ports: one per distinct targetPort, named like the Service port when it is a valid container port name.
  const containerPorts: kplus.ContainerPort[] = [];
  for (const port of o.ports) {
    if (containerPorts.some((c) => c.number === port.targetPort)) continue;
    containerPorts.push({ number: port.targetPort, name: IANA_SVC_NAME.test(port.name) ? port.name : undefined });
  }
  const deployment = new VersionDeployment(scope, `Deployment-${version.name}`, {
    metadata: { name: `${o.appName}-${version.name}`, namespace: o.namespace },
    select: false,
    replicas: p.autoscaling ? undefined : minReplicas(p, version),
    serviceAccount: o.serviceAccount,
    securityContext: { ensureNonRoot: sc.ensureNonRoot ?? true, user: sc.user, group: sc.group },
    containers: [{
      name: o.appName,
      image: version.image,
      imagePullPolicy: p.imagePullPolicy,
      ports: containerPorts,
      command: p.command,
      args: p.args,
      envVariables: { ...p.env, ...version.env },
      envFrom: p.envFrom,
      resources: version.resources ?? p.resources,
      readiness: p.readiness ?? kplus.Probe.fromTcpSocket({ port: first.targetPort }),
      liveness: p.liveness,
      startup: p.startup ?? kplus.Probe.fromTcpSocket({ port: first.targetPort }),
      volumeMounts: p.volumeMounts,
      securityContext: {
        ensureNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        ...sc,
      },
    }],
  }, o.render);
  // Used by cdk8s-plus APIs that read the workload's selector; the rendered selector comes from `render`.
  deployment.select(kplus.LabelSelector.of({ labels: { ...o.selector } }));
  for (const [k, v] of Object.entries(o.podLabels)) deployment.podMetadata.addLabel(k, v);
  // Pod-level seccomp: cdk8s-plus-28's PodSecurityContextProps has no seccompProfile. The pod-level field also
  // covers containers we do not declare (istio-proxy, istio-init injected by the sidecar injector), which the
  // Pod Security "restricted" profile requires.
  ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  return deployment;
}

/** The autoscaling/v2 HorizontalPodAutoscaler `<app>-<version>` (id `Autoscaler-<version>`) of a version. */
export function createAutoscaler(scope: Construct, version: string, name: string, namespace: string, target: kplus.Deployment,
  min: number, scaling: MeshAppAutoscaling): kplus.HorizontalPodAutoscaler {
  return new kplus.HorizontalPodAutoscaler(scope, `Autoscaler-${version}`, {
    metadata: { name, namespace },
    target,
    minReplicas: min,
    maxReplicas: scaling.maxReplicas,
    metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(scaling.cpuUtilization ?? 80))],
  });
}

/** The PodDisruptionBudget `<app>-<version>` (id `DisruptionBudget-<version>`): maxUnavailable 1, selector rendered late. */
export function createDisruptionBudget(scope: Construct, version: string, name: string, namespace: string,
  selector: () => Readonly<Record<string, string>>): kplus.k8s.KubePodDisruptionBudget {
  return new kplus.k8s.KubePodDisruptionBudget(scope, `DisruptionBudget-${version}`, {
    metadata: { name, namespace },
    spec: Lazy.any({
      produce: (): kplus.k8s.PodDisruptionBudgetSpec => ({ maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...selector() } } }),
    }) as unknown as kplus.k8s.PodDisruptionBudgetSpec,
  });
}

// ---- validation ----

/** Validates the Service ports: Istio protocol prefixes, ranges, ports reserved by the sidecar, uniqueness. */
export function validatePorts(scope: IConstruct, ports: MeshPort[]): PortSpec[] {
  if (ports.length === 0) {
    throw meshError(scope, 'ports', 'must list at least one port', ports, "pass ports: [{ name: 'http', port: 80, targetPort: 8080 }]");
  }
  const out = ports.map((p, i) => {
    const field = `ports[${i}]`;
    checkDnsLabel(scope, `${field}.name`, p.name);
    const protocol = ISTIO_PROTOCOLS.find((proto) => p.name === proto || (p.name.startsWith(`${proto}-`) && p.name.length > proto.length + 1));
    if (!protocol) {
      const allowed = ISTIO_PROTOCOLS.join(', ');
      throw meshError(scope, `${field}.name`, `must start with an Istio protocol prefix (${allowed}) alone or followed by '-<suffix>'`,
        p.name,
        `name it like "http-${p.name}" or "tcp-${p.name}"`);
    }
    checkInteger(scope, `${field}.port`, p.port, 1, 65535);
    const targetPort = p.targetPort ?? p.port;
    checkInteger(scope, `${field}.targetPort`, targetPort, 1, 65535);
    if (ISTIO_RESERVED_PORTS.includes(targetPort)) {
      throw meshError(scope, `${field}.targetPort`, 'is a port reserved by the Istio sidecar', targetPort, 'let the app listen on another port');
    }
    return { name: p.name, port: p.port, targetPort, protocol };
  });
  checkUnique(scope, 'ports[].name', out, (p) => p.name);
  checkUnique(scope, 'ports[].port', out, (p) => p.port);
  return out;
}

/** Validates `replicas` and `autoscaling`. */
export function validateScaling(scope: IConstruct, p: MeshAppProps): void {
  if (p.replicas !== undefined) {
    if (p.autoscaling) {
      throw meshError(scope, 'replicas', 'cannot be set together with autoscaling',
        p.replicas, "remove 'replicas' (the autoscaler owns it) or remove 'autoscaling'");
    }
    checkInteger(scope, 'replicas', p.replicas, 0);
  }
  if (p.autoscaling) {
    const min = checkInteger(scope, 'autoscaling.minReplicas', p.autoscaling.minReplicas ?? 2, 1);
    const max = checkInteger(scope, 'autoscaling.maxReplicas', p.autoscaling.maxReplicas, 1);
    if (min > max) {
      throw meshError(scope, 'autoscaling.minReplicas', `must not exceed maxReplicas (${max})`, min, 'lower minReplicas or raise maxReplicas');
    }
    checkInteger(scope, 'autoscaling.cpuUtilization', p.autoscaling.cpuUtilization ?? 80, 1, 1000);
  }
}

/** Validates the container settings: no sidecar UID, valid env names. */
export function validateContainer(scope: IConstruct, p: MeshAppProps): void {
  const sc = p.securityContext ?? {};
  for (const field of ['user', 'group'] as const) {
    if (sc[field] === ISTIO_PROXY_UID) {
      throw meshError(scope, `securityContext.${field}`, 'is reserved for the Istio sidecar (traffic from it bypasses the proxy)',
        sc[field], 'run the app under another id');
    }
  }
  validateEnv(scope, 'env', p.env);
}

/** Validates environment variable names. */
export function validateEnv(scope: IConstruct, field: string, env: { [name: string]: kplus.EnvValue } | undefined): void {
  for (const key of Object.keys(env ?? {})) {
    if (!ENV_NAME.test(key)) {
      throw meshError(scope, `${field}`, 'has an invalid variable name', key, "use letters, digits, '_', '-' and '.', not starting with a digit");
    }
  }
}
