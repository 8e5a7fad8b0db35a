import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import type { MeshAppAutoscaling, MeshAppProps, MeshAppVersion, MeshPort } from './mesh-app-props';
import { meshError } from '../private/errors';
import { meshScopeOf } from '../private/mesh-scope';
import { parseImage, unpinnedImageProblem } from '../private/image';
import { checkLabelValue } from '../private/labels';
import { ownEntries } from '../private/plain-keys';
import { addWarning } from '../private/warnings';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkUnique } from '../private/validate';

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

/** Deployment names taken per mesh (cluster): `<namespace>/<name>` -> the app version that has it. */
const DEPLOYMENT_NAMES = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Checks a version's Deployment name and reserves it in its namespace of the mesh: throws when another version (of this
 * or another app) has it, since both would write the same Deployment.
 */
export function reserveDeploymentName(scope: IConstruct, field: string, namespace: string, name: string, owner: string): string {
  checkDnsSubdomain(scope, field, name);
  const root = meshScopeOf(scope);
  const taken = DEPLOYMENT_NAMES.get(root) ?? new Map<string, string>();
  DEPLOYMENT_NAMES.set(root, taken);
  const other = taken.get(`${namespace}/${name}`);
  if (other !== undefined) {
    throw meshError(scope, field, `is already the Deployment name of ${other} in namespace "${namespace}"`, name,
      'give each version its own deploymentName (the default, <app>-<version>, is unique)');
  }
  taken.set(`${namespace}/${name}`, owner);
  return name;
}

/**
 * Validates a version being added to an app that has `versions` and external versions `externalVersionNames`: its
 * name, `version` label, existing ServiceAccount, image, replicas and env.
 */
export function validateVersion(scope: IConstruct, field: string, version: MeshAppVersion, props: MeshAppProps,
  versions: readonly MeshAppVersion[], externalVersionNames: readonly string[]): void {
  checkDnsLabel(scope, `${field}.name`, version.name);
  if (versions.some((v) => v.name === version.name)) {
    throw meshError(scope, `${field}.name`, 'must be unique among versions', version.name, 'give each version its own name (v1, v2, ...)');
  }
  const label = checkLabelValue(scope, `${field}.versionLabel`, version.versionLabel ?? version.name);
  const sameLabel = versions.find((v) => (v.versionLabel ?? v.name) === label);
  if (sameLabel || externalVersionNames.includes(label)) {
    throw meshError(scope, `${field}.versionLabel`, `is the \`version\` label of version "${sameLabel?.name ?? label}" too, so their subsets would select the same pods`,
      label, 'give each version its own versionLabel');
  }
  if (version.existingServiceAccount !== undefined) checkExistingServiceAccount(scope, `${field}.existingServiceAccount`, version.existingServiceAccount);
  validateImage(scope, `${field}.image`, version.image, props.allowUnpinnedImages ?? false);
  if (version.replicas !== undefined) {
    if (props.autoscaling) {
      throw meshError(scope, `${field}.replicas`, 'cannot be set when the app has autoscaling',
        version.replicas, "remove 'replicas' or remove 'autoscaling'");
    }
    checkInteger(scope, `${field}.replicas`, version.replicas, 0);
  }
  validateEnv(scope, `${field}.env`, version.env);
}

/** Checks the name of an existing ServiceAccount a version runs as; warns about the namespace's `default` one. */
export function checkExistingServiceAccount(scope: IConstruct, field: string, name: string): void {
  checkDnsSubdomain(scope, field, name);
  if (name === 'default') {
    addWarning(scope, 'mesh-app:default-service-account', `'${field}' runs the pods as the namespace's "default" ServiceAccount, which every pod `
      + 'without its own shares: a policy allowing this app allows them all. Give the app its own ServiceAccount');
  }
}

/** Options of `createDeployment()`. */
export interface CreateDeploymentOptions {
  /** Name of the Deployment. */
  readonly name: string;
  readonly appName: string;
  readonly namespace: string;
  readonly props: MeshAppProps;
  readonly version: MeshAppVersion;
  readonly ports: readonly PortSpec[];
  readonly serviceAccount: kplus.IServiceAccount;
  /** Selector at creation (cdk8s-plus APIs read it); the rendered one comes from `render`. */
  readonly selector: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Applied to the spec cdk8s-plus renders, at synth time. */
  readonly render: (spec: kplus.k8s.DeploymentSpec) => kplus.k8s.DeploymentSpec;
}

/** The Deployment `name` (id `Deployment-<version>`), with the secure container defaults. */
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
    metadata: { name: o.name, namespace: o.namespace },
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

/** The autoscaling/v2 HorizontalPodAutoscaler named like the version's Deployment (id `Autoscaler-<version>`) of a version. */
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

/** The PodDisruptionBudget named like the version's Deployment (id `DisruptionBudget-<version>`): maxUnavailable 1, selector rendered late. */
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

/**
 * Validates the container settings: no sidecar UID, a security context the kubelet can start, every opt-out of the
 * secure defaults explicit (and warned about), valid env names and no literal credentials.
 */
export function validateContainer(scope: IConstruct, p: MeshAppProps): void {
  const sc = p.securityContext ?? {};
  for (const field of ['user', 'group'] as const) {
    if (sc[field] === ISTIO_PROXY_UID) {
      throw meshError(scope, `securityContext.${field}`, 'is reserved for the Istio sidecar (traffic from it bypasses the proxy)',
        sc[field], 'run the app under another id');
    }
    if (sc[field] !== undefined) checkInteger(scope, `securityContext.${field}`, sc[field]!, 0, 2_147_483_647);
  }
  if (sc.user === 0 && sc.ensureNonRoot !== false) {
    throw meshError(scope, 'securityContext.user', 'is root (0) while runAsNonRoot is true, so the kubelet refuses to start the container', 0,
      'run as a non-root user id (e.g. 1000), or set ensureNonRoot: false explicitly if the app must run as root');
  }
  if (sc.privileged === true && sc.allowPrivilegeEscalation !== true) {
    throw meshError(scope, 'securityContext.privileged', 'is true while allowPrivilegeEscalation is false (the secure default), which the API server rejects', true,
      'set allowPrivilegeEscalation: true as well (privileged implies it), or drop privileged');
  }
  for (const [id, optedOut, what] of SECURITY_OPT_OUTS) {
    if (optedOut(sc)) addWarning(scope, id, `'securityContext' ${what}; this opts out of the secure default. Keep it only if the app cannot run otherwise`);
  }
  validateEnv(scope, 'env', p.env);
}

/** Opt-outs of the secure container defaults, each a warning with its id. */
const SECURITY_OPT_OUTS: ReadonlyArray<[string, (sc: kplus.ContainerSecurityContextProps) => boolean, string]> = [
  ['mesh-app:privileged', (sc) => sc.privileged === true, 'runs the container privileged (full access to the node)'],
  ['mesh-app:privilege-escalation', (sc) => sc.allowPrivilegeEscalation === true, 'allows privilege escalation (setuid binaries can gain root)'],
  ['mesh-app:runs-as-root', (sc) => sc.ensureNonRoot === false, 'lets the container run as root (ensureNonRoot: false)'],
  ['mesh-app:writable-root-filesystem', (sc) => sc.readOnlyRootFilesystem === false, 'makes the root filesystem writable'],
  ['mesh-app:capabilities', (sc) => (sc.capabilities?.add?.length ?? 0) > 0 || (sc.capabilities !== undefined && !(sc.capabilities.drop ?? []).includes(kplus.Capability.ALL)),
    'adds Linux capabilities or does not drop ALL'],
  ['mesh-app:seccomp', (sc) => sc.seccompProfile !== undefined && sc.seccompProfile.type !== kplus.SeccompProfileType.RUNTIME_DEFAULT,
    'replaces the RuntimeDefault seccomp profile'],
];

/** Names of variables that hold credentials: `*_PASSWORD`, `*_TOKEN`, `*_SECRET`, `*_KEY` (and the bare words). */
const CREDENTIAL_NAME = /(^|_)(PASSWORD|PASSWD|TOKEN|SECRET|KEY|API_?KEY|CREDENTIALS?)$/i;
/** A URL carrying a password: `scheme://user:password@host`. */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i;

/** Validates environment variable names, and that no literal value is a credential (they belong in Secrets). */
export function validateEnv(scope: IConstruct, field: string, env: { [name: string]: kplus.EnvValue } | undefined): void {
  for (const [key, value] of ownEntries(env)) {
    if (!ENV_NAME.test(key)) {
      throw meshError(scope, `${field}`, 'has an invalid variable name', key, "use letters, digits, '_', '-' and '.', not starting with a digit");
    }
    const literal = value?.valueFrom === undefined ? value?.value : undefined;
    if (typeof literal !== 'string' || literal === '') continue;
    const fix = `store it in a Secret and pass kplus.EnvValue.fromSecretValue({ secret, key }) for ${key} (dist/ is committed to git)`;
    if (CREDENTIAL_NAME.test(key)) {
      throw meshError(scope, `${field}.${key}`, 'looks like a credential but is a literal value, which would be written to dist/ in clear text', mask(literal), fix);
    }
    if (URL_WITH_PASSWORD.test(literal)) {
      throw meshError(scope, `${field}.${key}`, 'is a URL with a password (user:password@), which would be written to dist/ in clear text',
        literal.replace(/(:\/\/[^\s/:@]+:)[^\s/@]+@/, '$1***@'), fix);
    }
  }
}

/** A credential shown in an error: its length only. */
function mask(value: string): string {
  return `<${value.length} characters, not shown>`;
}

/** Validates a version's image: a valid reference, pinned by tag or digest unless `allowUnpinned`. */
export function validateImage(scope: IConstruct, field: string, image: string, allowUnpinned: boolean): void {
  const parsed = parseImage(image);
  if ('problem' in parsed) {
    throw meshError(scope, field, `is not a container image reference: it ${parsed.problem}`, image, "pass an image like 'gcr.io/tetratelabs/customers:1.0.0'");
  }
  const unpinned = unpinnedImageProblem(parsed);
  if (unpinned && !allowUnpinned) {
    throw meshError(scope, field, `${unpinned} (versions would drift between pods and rollbacks would not restore the old code)`, image,
      `pin it (${JSON.stringify(`${parsed.name}:1.2.3`)} or @sha256:<digest>), or set allowUnpinnedImages: true on the app`);
  }
}
