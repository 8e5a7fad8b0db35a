/*
 * What each built-in rule protects, for people: why a finding matters, how to fix it, and the kind of object it is reported
 * on (where the suppression annotation goes). The README's rule table is generated from this and the rules (see
 * `rulesMarkdown()` in ../catalog.ts; `npm run analyze -- --list-rules` prints it).
 */

/** Documentation of one rule. */
export interface RuleDoc {
  /** What goes wrong in the cluster when the finding is ignored. */
  readonly why: string;
  /** The usual fix (each finding's own `fix` is specific). */
  readonly fix: string;
  /** The kinds findings are reported on. */
  readonly on: string;
  /** For rules that report at more than one severity (no `IAnalysisRule.severity`): when each applies. */
  readonly severity?: string;
}

export const RULE_DOCS: Readonly<Record<string, RuleDoc>> = {
  'duplicate-object': { on: 'the second object', why: 'the objects overwrite each other in the cluster, and Flux keeps flipping between them', fix: 'rename one, or create it once and reference it' },
  'secret-data': { on: 'Secret', why: 'dist/ is committed to git: the secret would be in its history for good', fix: 'create the Secret in the cluster (SOPS, Sealed Secrets, External Secrets) and reference it by name' },
  'object-name': { on: 'the object', why: 'the API server rejects the object, and the whole Flux Kustomization with it', fix: 'use a DNS-1123 name (a DNS-1035 label for Services)' },
  'label-syntax': { on: 'the object', why: 'the API server rejects the object', fix: 'use qualified-name keys and label values of at most 63 characters' },
  'finite-number': { on: 'the object', why: 'NaN and Infinity are not valid YAML numbers for Kubernetes: the apply fails', fix: 'compute the number from finite inputs' },
  'object-size': { on: 'the object', why: 'the API server stores at most 1.5 MiB per object: the apply fails', fix: 'split the object (several ConfigMaps, smaller policies)' },
  'image-reference': { on: 'the workload', why: 'the kubelet cannot pull a malformed image: pods stay in InvalidImageName', fix: 'write `registry/name:tag` or `name@sha256:...`' },
  'dropped-key': { on: 'the object', why: 'cdk8s silently drops a `__proto__` key: what is applied differs from what was written', fix: 'rename the key, or build the object with the library\'s constructs' },
  'gateway-credential': { on: 'Gateway', why: 'a gateway reads credentialName only in its own namespace: without the Secret there, TLS handshakes for its hosts fail', fix: 'issue the Certificate in the gateway\'s namespace, or declare an external Secret' },
  'destination-rule-ca-certificates': { on: 'DestinationRule', why: 'TLS to the external host is encrypted but the server is not verified (man in the middle)', fix: 'set `caCertificates` (or a credentialName with ca.crt)' },
  'certificate-secret-unique': { on: 'Certificate (the second)', why: 'two Certificates writing one Secret overwrite each other\'s key pair on every renewal', fix: 'give one another secretName, or merge their dnsNames' },
  'peer-authentication-conflict': { on: 'PeerAuthentication (the second)', why: 'Istio applies only the oldest policy of a scope, silently', fix: 'keep one policy per scope and change its mode' },
  'sidecarless-mtls': { severity: 'error under STRICT, warning under PERMISSIVE', on: 'the caller\'s or callee\'s workload, or the AuthorizationPolicy', why: 'under STRICT mTLS a workload without sidecar can neither call meshed services nor be protected (ECONNRESET, policies that never match)', fix: 'enable sidecar injection, or make the callee PERMISSIVE while migrating' },
  'flagger-reserved-names': { on: 'the clashing object', why: 'Flagger creates these objects itself and fights over them with Flux', fix: 'let the Canary create them, or rename yours' },
  'flagger-target': { on: 'Canary', why: 'Flagger scales the primary itself and renames one selector label: other settings break the rollout', fix: 'drop spec.replicas (use an HPA), select pods by app, name or app.kubernetes.io/name' },
  'flagger-metrics': { severity: 'error (warning for an inline query)', on: 'Canary', why: 'a metric without its template makes every analysis fail and the canary roll back', fix: 'use a builtin metric, or synthesize the MetricTemplate with the Canary' },
  'flagger-analysis': { on: 'Canary', why: 'webhooks longer than the interval, inconsistent weights or mirroring with a provider other than Istio make Flagger halt or misroute', fix: 'keep webhook timeouts below the interval, weights consistent, mirror only with the Istio provider' },
  'service-entry-workload-selector': { on: 'ServiceEntry', why: 'with resolution NONE Istio ignores the selected workloads: traffic goes to the original destination', fix: 'set resolution STATIC or DNS' },
  'workload-entry-dns-address': { on: 'WorkloadEntry', why: 'only ServiceEntries with resolution DNS use an entry addressed by name: no traffic reaches the VM', fix: 'use the VM\'s IP, or select the entry from a DNS ServiceEntry' },
  'flux-depends-on': { on: 'Kustomization, HelmRelease', why: 'Flux waits forever for a missing dependency or a cycle: nothing behind it is applied', fix: 'depend on objects of the same cluster, and break the cycle' },
  'flux-source-ref': { on: 'Kustomization, HelmRelease', why: 'Flux cannot fetch the source: the object is never reconciled', fix: 'add the source to the output, or reference an existing one' },
  'helm-release-pinned': { on: 'HelmRelease', why: 'an unpinned chart upgrades itself on the next reconcile, unreviewed', fix: 'pin an exact chart version' },
  'platform-values': { on: 'HelmRelease (istiod)', why: 'objects relying on values istiod lacks (cert signers, extension providers, VM auto-registration) are ignored or rejected at run time', fix: 'add the values to the istiod HelmRelease (MeshPlatform does it)' },
  'mesh-client-tls': { on: 'DestinationRule, Canary', why: 'every request fails: a TLS handshake against a plaintext server (503 UF), or plaintext against a STRICT one (connection reset)', fix: 'drop the tls setting (auto mTLS), inject the sidecar, or make the server PERMISSIVE' },
  'http-route-tcp-service': { on: 'VirtualService', why: 'sidecars build HTTP routes only for HTTP ports: the split, retries or faults never apply', fix: 'use tcp/tls routes, or name the port for HTTP if it is HTTP' },
  'passthrough-http-route': { on: 'VirtualService', why: 'a passthrough server does not terminate TLS and takes only tls routes: the host gets no route', fix: 'route with tls routes (sniHosts), or terminate TLS on the server' },
  'port-level-traffic-policy': { severity: 'error when locality failover is lost, else warning', on: 'DestinationRule, Canary', why: 'Istio replaces the top-level policy per port: pool limits, outlier detection, locality failover or TLS silently vanish on that port', fix: 'repeat the top-level settings the port must keep in its entry' },
  'gateway-route-denied': { on: 'VirtualService, Canary', why: 'under an ALLOW policy (deny-all) a request is let in only by a matching rule: every request through the gateway gets 403', fix: 'add an ALLOW rule for the gateway\'s principal (or its namespace)' },
  'gateway-catch-all-conflict': { on: 'VirtualService, Canary (each)', why: 'the gateway merges them in creation order: the first catch-all takes every request, the other app is unreachable', fix: 'give each app its own host or path prefix, or merge the routes' },
  'peer-authentication-port': { severity: 'error (warning when the entry repeats the mode it would set)', on: 'PeerAuthentication', why: 'portLevelMtls is matched against the workload\'s port: an entry keyed by a Service port never applies', fix: 'key the entry by the container port' },
  'istio-referenced-gateway': { on: 'VirtualService, Canary', why: 'the routes never bind to a gateway: the host gets 404', fix: 'create the Gateway, or reference `<namespace>/<name>` of an existing one' },
  'istio-referenced-host': { on: 'VirtualService', why: 'requests routed to an unknown host get 503 (no cluster)', fix: 'use the FQDN of an existing Service, or add a ServiceEntry' },
  'istio-referenced-subset': { on: 'VirtualService', why: 'requests routed to an undefined subset get 503 (NR)', fix: 'define the subset in the host\'s DestinationRule' },
  'istio-referenced-selector': { on: 'Gateway, Sidecar, Telemetry', why: 'no proxy runs the configuration', fix: 'select the labels of existing gateway or workload pods' },
  'istio-referenced-namespace': { on: 'AuthorizationPolicy', why: 'the rule matches nobody (or excludes nobody)', fix: 'correct the namespace name' },
  'istio-mesh-gateway-hosts': { on: 'VirtualService, Canary (each)', why: 'sidecars merge VirtualServices for one host in an undefined order', fix: 'merge them into one VirtualService (or the Canary)' },
  'istio-destination-port': { on: 'VirtualService', why: 'with several ports Istio cannot pick one; a port the service lacks gets 503', fix: 'name one of the service\'s ports in the destination' },
  'istio-unreachable-route': { on: 'VirtualService', why: 'the rule never receives a request', fix: 'order rules from the most specific to the catch-all, one catch-all, last' },
  'istio-ineffective-match': { on: 'VirtualService', why: 'the match never applies (an earlier rule takes its requests)', fix: 'remove the match, or move the more specific rule first' },
  'istio-regex': { on: 'VirtualService', why: 'Envoy matches with RE2: a regex it cannot compile makes the route configuration rejected (or the match never applies)', fix: 'write RE2 syntax (no look-around or back-references), or use prefix/exact' },
  'istio-gateway-host': { on: 'VirtualService, Canary', why: 'the gateway does not serve the host: its routes get no traffic from it', fix: 'add the host to a server of the Gateway' },
  'istio-jwt-claim-route': { on: 'VirtualService', why: 'claims exist only after a RequestAuthentication validated the token on the gateway pods: the routes never match', fix: 'add a RequestAuthentication selecting the gateway pods' },
  'istio-conflicting-gateways': { on: 'Gateway (each)', why: 'the gateway keeps one of the clashing servers and drops the other\'s hosts', fix: 'serve the hosts from one Gateway, or use other ports or hosts' },
  'istio-gateway-duplicate-certificate': { on: 'Gateway (each)', why: 'clients reuse an HTTP/2 connection for every host of the certificate: requests for the other Gateway\'s hosts get 404', fix: 'serve the hosts from one Gateway, or use one certificate per Gateway' },
  'istio-gateway-port': { on: 'Gateway', why: 'the listener exists but the gateway Service does not expose the port: unreachable from outside', fix: 'add the port to the gateway Service' },
  'istio-service-protocol-conflict': { on: 'Deployment (the workload)', why: 'the sidecar cannot serve one port with two protocols', fix: 'serve each protocol on its own port number' },
  'istio-service-target-port-conflict': { on: 'Deployment (the workload)', why: 'Istio cannot tell which Service port\'s settings apply to the target port', fix: 'use the same port number for the target port in every Service' },
  'istio-port-name': { on: 'Service', why: 'the protocol is sniffed: server-first protocols wait, and detection can pick wrong', fix: 'name the port `<protocol>[-suffix]` or set appProtocol' },
  'istio-external-name-port': { on: 'Service', why: 'an ExternalName Service has no IP: a plain TCP port cannot be routed to the external name', fix: 'name the port https-/tls- (or http-/grpc-), or set appProtocol' },
  'istio-service-entry-addresses': { on: 'ServiceEntry', why: 'without addresses the sidecars bind all TCP traffic of the port to the entry', fix: 'set addresses, a non-TCP protocol, or enable DNS address allocation' },
  'istio-sidecar-selectors': { on: 'Sidecar (each)', why: 'the proxy gets one of the Sidecars, which one is undefined', fix: 'make the selectors disjoint, or merge the Sidecars' },
  'istio-sidecar-default': { on: 'Sidecar (each)', why: 'only one Sidecar without selector is the namespace default, which one is undefined', fix: 'keep one default Sidecar per namespace' },
  'istio-sidecar-ambient': { on: 'Sidecar', why: 'ambient pods have no sidecar: the Sidecar configures nothing and its egress limits do not hold', fix: 'remove the Sidecar, or move the pods back to sidecars' },
  'istio-telemetry-selectors': { on: 'Telemetry (each)', why: 'the proxy gets one of the Telemetries, which one is undefined', fix: 'make the selectors disjoint, or merge the Telemetries' },
  'istio-telemetry-default': { on: 'Telemetry (each)', why: 'only one Telemetry without selector applies to the namespace (the mesh, in the root namespace)', fix: 'merge them into one' },
  'istio-envoy-filter-operation': { on: 'EnvoyFilter', why: 'the patch is ignored (or rejected): the Envoy change it was written for never happens', fix: 'use an operation valid for the applyTo (MERGE for routes, REPLACE only for filters)' },
  'istio-envoy-filter-relative': { on: 'EnvoyFilter', why: 'relative patches apply after other EnvoyFilters in an order nobody chooses, and may find nothing to patch (notably across upgrades)', fix: 'set spec.priority, or use INSERT_FIRST or ADD' },
  'istio-telemetry-provider': { on: 'Telemetry', why: 'access logging without a provider uses the mesh default; with none the entry is ignored and nothing is logged', fix: 'name a provider (envoy), or set meshConfig.defaultProviders.accessLogging' },
  'istio-deprecated': { on: 'the object', why: 'Istio ignores the field, or no longer has the API: the object does nothing', fix: 'use the replacement field or API' },
  'istio-destination-rule-host': { on: 'DestinationRule', why: 'the policy applies to nothing', fix: 'use the FQDN of an existing Service, or add a ServiceEntry' },
  'istio-subset-pods': { on: 'DestinationRule', why: 'traffic routed to the subset gets 503 (UH, no healthy upstream)', fix: 'change the subset labels to select the pods' },
  'istio-policy-workloads': { on: 'the policy', why: 'the policy applies to nothing (a typo in a label, or pods without a proxy)', fix: 'select the labels of the pods with a sidecar' },
  'istio-ineffective-selector': { on: 'the policy', why: 'a selector is ignored on a Kubernetes Gateway\'s pods: the policy does not apply', fix: 'attach with targetRef to the Gateway' },
  'istio-jwks-uri-fetch': { on: 'Deployment or HelmRelease (istiod)', why: 'istiod fetches every jwksUri: without blocked ranges, anyone who may write a RequestAuthentication can make istiod call internal services (SSRF)', fix: 'set istiod\'s env BLOCKED_CIDRS_IN_JWKS_URIS (Helm values pilot.env)' },
  'istio-namespace-injection': { on: 'Namespace', why: 'pods get a sidecar only if each asks for one: an easy way to run outside the mesh by accident', fix: 'label the namespace istio-injection enabled or disabled' },
  'istio-namespace-injection-labels': { on: 'Namespace', why: 'both labels: which injector acts depends on the install', fix: 'keep only istio.io/rev (revisions) or istio-injection' },
  'istio-proxy-uid': { on: 'the workload', why: 'Istio does not capture traffic of UID 1337: it bypasses the sidecar (no mTLS, no policy)', fix: 'run the application as another UID' },
  'istio-image-auto': { severity: 'warning (IST0146); error for a Pod (IST0147)', on: 'the workload', why: 'without injection nothing replaces `image: auto`: the gateway pods never start (ErrImagePull)', fix: 'enable injection for the namespace or the pod template' },
  'workload-run-as-non-root': { on: 'the workload', why: 'a container running as root is one escape away from the node; Pod Security restricted rejects it', fix: 'set runAsNonRoot: true and a non-zero runAsUser' },
  'workload-privilege-escalation': { on: 'the workload', why: 'setuid binaries can gain privileges; Pod Security restricted rejects it', fix: 'set allowPrivilegeEscalation: false' },
  'workload-capabilities': { on: 'the workload', why: 'default capabilities widen what a compromised container can do; Pod Security restricted rejects them', fix: 'drop ALL, add only NET_BIND_SERVICE if needed' },
  'workload-seccomp': { on: 'the workload', why: 'without seccomp every syscall is open; Pod Security restricted rejects it', fix: 'set seccompProfile.type RuntimeDefault' },
  'workload-privileged': { on: 'the workload', why: 'a privileged container owns the node', fix: 'remove privileged: true' },
  'workload-host-namespaces': { on: 'the workload', why: 'host network, PID or IPC expose the node and bypass the sidecar', fix: 'remove hostNetwork, hostPID, hostIPC' },
  'workload-host-path': { on: 'the workload', why: 'a hostPath mount reads or writes the node\'s files', fix: 'use a volume type that is not hostPath' },
  'workload-sidecar-pod-security': { on: 'Namespace', why: 'the injected istio-init needs NET_ADMIN, which baseline/restricted reject: pods are not created', fix: 'install the Istio CNI plugin, or relax the namespace\'s Pod Security level' },
  'workload-resources': { on: 'the workload', why: 'without requests the scheduler overcommits; without a memory limit one pod can starve the node', fix: 'set CPU and memory requests and a memory limit' },
  'workload-probes': { on: 'the workload', why: 'without a readiness probe traffic reaches pods that are not ready (errors on every rollout)', fix: 'add a readinessProbe' },
  'workload-image-pinned': { on: 'the workload', why: 'latest (or no tag) runs whatever was pushed last, not what was reviewed', fix: 'use a version tag or a digest' },
  'workload-disruption-budget': { on: 'the workload', why: 'a node drain can evict every replica at once', fix: 'add a PodDisruptionBudget selecting the pods' },
  'workload-hpa-replicas': { on: 'the workload', why: 'every GitOps apply resets the scale the HPA chose', fix: 'drop spec.replicas' },
  'workload-selector-labels': { on: 'the workload', why: 'the API server rejects a selector that does not match the template labels', fix: 'make the template labels include the selector' },
  'workload-service-selector': { on: 'Service', why: 'the Service has no endpoints: every request fails', fix: 'select the labels of the pods' },
};
