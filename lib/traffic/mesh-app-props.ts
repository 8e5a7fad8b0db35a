import * as kplus from 'cdk8s-plus-28';
import type { HttpRouteOptions } from './http-route';
import type { TcpRouteOptions } from './tcp-route';
import type { TlsRouteOptions } from './tls-route';
import type { TrafficPolicy } from './traffic-policy';

/**
 * One port of the app's Service.
 */
export interface MeshPort {
  /**
   * Port name with an Istio protocol prefix: `http`, `http2`, `https`, `grpc`, `grpc-web`, `tcp`, `tls`,
   * `mongo`, `mysql`, `redis`, or `<protocol>-<suffix>` (e.g. `http-admin`). Istio picks the protocol from it.
   * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
   */
  readonly name: string;
  /** Port of the Service (what clients and routes use). */
  readonly port: number;
  /**
   * Port the container listens on.
   * @default - same as `port`
   */
  readonly targetPort?: number;
}

/**
 * One version of the app: its own Deployment (`<name>-<version>` by default), pod label `version`, DestinationRule subset.
 */
export interface MeshAppVersion {
  /**
   * Version name, e.g. `v1` or `stable`: the DestinationRule subset name, the name routes and splits use, and (unless
   * `versionLabel` is given) the pod label `version`. A DNS-1123 label.
   */
  readonly name: string;
  /**
   * Value of the pod label `version` of this version (what the subset selects, and what Istio's telemetry reports as
   * `destination_version`), when it differs from the subset name: e.g. subset `stable` running `version: 1.4.2`.
   * Unique among the app's versions (two subsets selecting the same pods cannot be told apart).
   * @default - the version name
   */
  readonly versionLabel?: string;
  /**
   * Name of the version's Deployment (and of its HorizontalPodAutoscaler and PodDisruptionBudget). E.g. the app name
   * for the one version of a canaried app, so Flagger's objects are `<app>-primary` as in its docs. Unique among the
   * Deployments of the namespace.
   * @default - `<app name>-<version name>`
   */
  readonly deploymentName?: string;
  /**
   * Run this version's pods as a ServiceAccount that already exists in the namespace (created by another tool or
   * team): it is not emitted, and principals, authorization policies and the analysis use its name.
   * @default - the ServiceAccount the app's `identity` gives the version
   */
  readonly existingServiceAccount?: string;
  /** Container image of this version, e.g. `gcr.io/tetratelabs/customers:2.0.0`. */
  readonly image: string;
  /**
   * Replicas of this version. Not allowed together with `autoscaling`.
   * @default - the app's `replicas`
   */
  readonly replicas?: number;
  /**
   * Environment variables of this version, merged over (and overriding) the app's `env`.
   * @default - the app's `env` only
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Resources of this version's container.
   * @default - the app's `resources`
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Traffic policy of this version's DestinationRule subset (overrides the app's `trafficPolicy` for it).
   * @default - the subset inherits the app's `trafficPolicy`
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/**
 * Which workload identities (ServiceAccounts) a MeshApp runs as. Enum-like class.
 */
export class WorkloadIdentity {
  /** One ServiceAccount `<name>` shared by every version. */
  public static readonly PER_APP = new WorkloadIdentity('per-app');
  /** One ServiceAccount `<name>-<version>` per version (S2's `customers-v1`), so policies can tell versions apart. */
  public static readonly PER_VERSION = new WorkloadIdentity('per-version');

  /**
   * Every version runs as the ServiceAccount `serviceAccountName`, which already exists in the app's namespace
   * (created by another tool or team, e.g. bound to a cloud IAM role): the app does not emit it, and principals,
   * authorization policies and the analysis use its name. A version's `existingServiceAccount` overrides it.
   */
  public static existing(serviceAccountName: string): WorkloadIdentity {
    return new WorkloadIdentity('existing', serviceAccountName);
  }

  /**
   * @param mode 'per-app', 'per-version' or 'existing'
   * @param serviceAccountName the existing ServiceAccount (mode 'existing')
   */
  private constructor(public readonly mode: string, public readonly serviceAccountName?: string) {}
}

/** HorizontalPodAutoscaler (autoscaling/v2) settings, applied to each version's Deployment. */
export interface MeshAppAutoscaling {
  /**
   * Lower bound of replicas per version.
   * @default 2
   */
  readonly minReplicas?: number;
  /** Upper bound of replicas per version. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilization, in percent of the CPU request.
   * @default 80
   */
  readonly cpuUtilization?: number;
}

/** Properties of a MeshApp. */
export interface MeshAppProps {
  /**
   * Name of the app: Service, DestinationRule, VirtualService, ServiceAccount, `app` label. A DNS-1035 label
   * (lower case letters, digits, '-', starting with a letter).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of every object of the app.
   * @default - the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /** Versions of the app, at least one (`addVersion()` adds more). */
  readonly versions: MeshAppVersion[];
  /**
   * Service ports, named with Istio protocol prefixes. The first one is also the default probe port.
   * @default [{ name: 'http', port: 80, targetPort: 8080 }]
   */
  readonly ports?: MeshPort[];
  /**
   * Replicas of every version (each version can override it). Not allowed together with `autoscaling`.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Scale each version with an autoscaling/v2 HorizontalPodAutoscaler named like its Deployment instead of fixed replicas.
   * @default - fixed `replicas`, no autoscaler
   */
  readonly autoscaling?: MeshAppAutoscaling;
  /**
   * Emit a PodDisruptionBudget named like the version's Deployment (policy/v1, maxUnavailable 1) for each version that runs more
   * than one replica (replicas > 1 or autoscaling minReplicas > 1). A single replica gets none, since a budget
   * would block node drains.
   * @default true
   */
  readonly disruptionBudget?: boolean;
  /**
   * Inject the Istio sidecar (pod label `sidecar.istio.io/inject`). `false` keeps the app out of the mesh,
   * like S1's web-frontend: it then cannot use mTLS and fails against STRICT peers.
   * @default true
   */
  readonly sidecar?: boolean;
  /**
   * One ServiceAccount for the app, one per version, or one that already exists (`WorkloadIdentity.existing(name)`).
   * @default WorkloadIdentity.PER_APP
   */
  readonly identity?: WorkloadIdentity;
  /**
   * Environment variables of the container; use `kplus.EnvValue.fromValue()`, `fromConfigMap()`, `fromSecretValue()`, ...
   * @default - none
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Whole ConfigMaps/Secrets as environment (`kplus.Env.fromConfigMap(cm)`, `kplus.Env.fromSecret(s)`).
   * @default - none
   */
  readonly envFrom?: kplus.EnvFrom[];
  /**
   * Entrypoint array.
   * @default - the image's ENTRYPOINT
   */
  readonly command?: string[];
  /**
   * Arguments to the entrypoint.
   * @default - the image's CMD
   */
  readonly args?: string[];
  /**
   * Compute resources of the container.
   * @default - cdk8s-plus defaults: requests 1000m CPU / 512Mi, limits 1500m CPU / 2048Mi
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Readiness probe.
   * @default - TCP connect to the first port's targetPort (protocol-agnostic; Istio rewrites it to go through the agent)
   */
  readonly readiness?: kplus.Probe;
  /**
   * Liveness probe.
   * @default - none: a wrong liveness probe restarts healthy pods, so it must be chosen by the app owner
   */
  readonly liveness?: kplus.Probe;
  /**
   * Startup probe.
   * @default - TCP connect to the first port's targetPort (the cdk8s-plus default)
   */
  readonly startup?: kplus.Probe;
  /**
   * Volumes to mount, e.g. `{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(scope, 'tmp', 'tmp') }` (the root
   * filesystem is read-only) or `kplus.Volume.fromConfigMap(...)`. The pod volumes are added from the mounts.
   * @default - none
   */
  readonly volumeMounts?: kplus.VolumeMount[];
  /**
   * Container security context, merged over the secure defaults: runAsNonRoot, readOnlyRootFilesystem,
   * no privilege escalation, not privileged, capabilities drop ALL, seccomp RuntimeDefault. Every opt-out is
   * explicit here (e.g. `{ readOnlyRootFilesystem: false }`) and recorded as a synth warning (`mesh-app:privileged`,
   * `mesh-app:runs-as-root`, ...). `privileged: true` needs `allowPrivilegeEscalation: true`; `user: 0` needs
   * `ensureNonRoot: false`. `ensureNonRoot`, `user` and `group` also apply to the pod.
   * @default - the secure defaults above
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;
  /**
   * Image pull policy.
   * @default kplus.ImagePullPolicy.ALWAYS
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
  /**
   * Accept images without a tag or with the tag `latest` (e.g. for a local development cluster). Unpinned images
   * drift: pods of one version can run different code, and a rollback does not restore the old one.
   * @default false - every version's image needs a tag other than `latest`, or a digest
   */
  readonly allowUnpinnedImages?: boolean;
  /**
   * Traffic policy of the DestinationRule (connection pool, outlier detection, load balancer, TLS, per port).
   * @default - no policy: Istio defaults (LEAST_REQUEST, auto mTLS, no limits)
   */
  readonly trafficPolicy?: TrafficPolicy;
  /**
   * HTTP routes of the mesh VirtualService `<name>` (hosts: the Service FQDN, bound to the mesh).
   * `addRoute()` adds more.
   * @default - no VirtualService: mesh traffic is spread over all versions by the Service
   */
  readonly routes?: HttpRouteOptions[];
  /** TCP routes of the mesh VirtualService (`tcp:`, non-HTTP ports); `addTcpRoute()` adds more. @default - none */
  readonly tcpRoutes?: TcpRouteOptions[];
  /** TLS routes of the mesh VirtualService (`tls:`, https/tls ports, by SNI); `addTlsRoute()` adds more. @default - none */
  readonly tlsRoutes?: TlsRouteOptions[];
}

/** Options of `MeshApp.exposeVia()`. */
export interface ExposeViaOptions {
  /**
   * Hosts the gateway VirtualService answers for.
   * @default - the gateway's hosts
   */
  readonly hosts?: string[];
  /**
   * Routes of the gateway VirtualService.
   * @default - the app's routes (including ones added later); with none, one route to the whole Service
   */
  readonly routes?: HttpRouteOptions[];
  /**
   * Name of the gateway VirtualService (in the app's namespace).
   * @default - `<app name>-<gateway name>`
   */
  readonly virtualServiceName?: string;
  /**
   * Bind only the gateway servers on this port, e.g. the TCP server of a gateway that also serves HTTP.
   * @default - every server whose hosts match the binding's hosts, each with its route kind (http, tls by SNI, tcp by port)
   */
  readonly port?: number;
  /**
   * TCP routes for the gateway's TCP servers (`match.port`: a TCP server port), e.g. a weighted split.
   * @default - one route per TCP server bound, matching its port, to the whole Service
   */
  readonly tcpRoutes?: TcpRouteOptions[];
  /**
   * TLS routes for the gateway's passthrough servers (`sniHosts` default to the binding's hosts).
   * @default - one route per passthrough server bound, on its port and the hosts it accepts, to the whole Service
   */
  readonly tlsRoutes?: TlsRouteOptions[];
}

