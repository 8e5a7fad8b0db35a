import type { AnalysisContext, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf, podTemplateOf, POD_TEMPLATE_KINDS, stringMap } from '../label-index';
import { meshModel, refOf } from '../model';
import { manifestTopology } from '../topology';

/*
 * istioctl analyze messages about namespaces and pods: IST0102 (namespace not injected), IST0123 (two injection labels), IST0144 (UID 1337),
 * IST0146/IST0147 (`image: auto` without injection).
 */

const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/**
 * IST0102: a namespace of the output without an injection label (istio-injection, istio.io/rev) or ambient mode, whose
 * pods the output runs: they get a sidecar only if each pod asks for one. istioctl reports every such namespace; here
 * only namespaces with workloads of the output are, and an explicit `istio-injection: disabled` is a decision, not a finding.
 */
export const ISTIO_NAMESPACE_INJECTION: IAnalysisRule = {
  id: 'istio-namespace-injection',
  code: 'IST0102',
  severity: FindingSeverity.INFO,
  description: 'Every Namespace of the output that runs workloads says whether Istio injects sidecars (istio-injection, istio.io/rev or ambient mode).',
  check(ctx: AnalysisContext) {
    const model = meshModel(ctx);
    for (const o of ctx.ofKind('Namespace', '')) {
      const ns = o.manifest.metadata.name;
      if (SYSTEM_NAMESPACES.has(ns) || ns === ctx.settings.rootNamespace) continue;
      const labels = stringMap(o.manifest.metadata.labels);
      if (labels['istio-injection'] !== undefined || labels['istio.io/rev'] !== undefined || labels['istio.io/dataplane-mode'] === 'ambient') continue;
      const workloads = model.podsIn(ns).filter((p) => p.origin === 'manifest' && !p.vm);
      if (workloads.length === 0) continue;
      ctx.info(o, `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${ns} istio-injection=enabled' to enable it, or `
        + `'kubectl label namespace ${ns} istio-injection=disabled' to explicitly mark it as not needing injection (Namespace ${ns} runs `
        + `${workloads.slice(0, 3).map((p) => p.name).join(', ')}${workloads.length > 3 ? ', ...' : ''}). `
        + 'Fix: label the Namespace istio-injection: enabled (MeshNamespace) or disabled.');
    }
  },
};

/** IST0144: UID 1337 is the sidecar's; an application running as it bypasses the sidecar's traffic capture. */
export const ISTIO_PROXY_UID: IAnalysisRule = {
  id: 'istio-proxy-uid',
  code: 'IST0144',
  severity: FindingSeverity.WARNING,
  description: 'No application container runs as user ID 1337, reserved for the Istio sidecar.',
  check(ctx: AnalysisContext) {
    for (const pods of meshModel(ctx).podSets) {
      if (pods.origin !== 'manifest' || !pods.spec || pods.proxy === 'gateway') continue;
      const containers = [...arrayOf(pods.spec.containers), ...arrayOf(pods.spec.initContainers)]
        .filter((c: any) => c?.name !== 'istio-proxy' && c?.name !== 'istio-operator');
      const at = [
        ...(pods.spec.securityContext?.runAsUser === 1337 ? ['the pod (securityContext.runAsUser)'] : []),
        ...containers.filter((c: any) => c?.securityContext?.runAsUser === 1337).map((c: any) => `container "${c.name}"`),
      ];
      if (at.length === 0) continue;
      ctx.warning(pods.object!, `User ID (UID) 1337 is reserved for the sidecar proxy: ${at.join(', ')} of ${pods.kind} ${refOf(pods.object!)} run as it, so `
        + 'their traffic bypasses the sidecar (Istio does not capture traffic of UID 1337). Fix: run the application as another user ID.');
    }
  },
};

/** IST0123: a namespace with both injection labels; which one the injector's webhooks act on depends on the install. */
export const ISTIO_NAMESPACE_INJECTION_LABELS: IAnalysisRule = {
  id: 'istio-namespace-injection-labels',
  code: 'IST0123',
  severity: FindingSeverity.WARNING,
  description: 'No Namespace carries both istio-injection and istio.io/rev.',
  check(ctx: AnalysisContext) {
    for (const o of ctx.ofKind('Namespace', '')) {
      const labels = stringMap(o.manifest.metadata.labels);
      if (labels['istio-injection'] === undefined || labels['istio.io/rev'] === undefined) continue;
      ctx.warning(o, `The namespace has more than one type of injection labels [istio-injection istio.io/rev], which may lead to undefined behavior. `
        + `Make sure only one injection label exists (Namespace ${o.manifest.metadata.name}: istio-injection=${labels['istio-injection']}, `
        + `istio.io/rev=${labels['istio.io/rev']}; the default webhook acts on istio-injection, the revision's on istio.io/rev). `
        + 'Fix: keep istio.io/rev for a revisioned control plane, or istio-injection, not both.');
    }
  },
};

/**
 * IST0146 / IST0147: an `istio-proxy` container with `image: auto` (how gateways are deployed by injection) is replaced
 * by the injector only when injection applies to the pods; otherwise the kubelet tries to pull an image named "auto".
 */
export const ISTIO_IMAGE_AUTO: IAnalysisRule = {
  id: 'istio-image-auto',
  code: 'IST0146',
  description: 'Pods with an istio-proxy container of image "auto" (gateways deployed by injection) are in a namespace, or carry labels, that get injection.',
  check(ctx: AnalysisContext) {
    const topology = manifestTopology(ctx);
    for (const kind of POD_TEMPLATE_KINDS) {
      for (const o of ctx.ofKind(kind)) {
        const t = podTemplateOf(o.manifest);
        if (!t || !arrayOf(t[1]?.containers).some((c: any) => c?.name === 'istio-proxy' && c?.image === 'auto')) continue;
        const ns = o.manifest.metadata.namespace ?? 'default';
        if (topology.injected(ns, { labels: stringMap(t[0].labels), annotations: stringMap(t[0].annotations) })) continue;
        const text = `${kind} ${o.manifest.metadata.name} contains \`image: auto\` but does not match any Istio injection webhook selectors (${kind} ${refOf(o)}: `
          + `namespace "${ns}" and the pod labels do not ask for injection), so the pods try to pull an image named "auto" and never start. `
          + `Fix: label namespace "${ns}" istio-injection: enabled (or istio.io/rev), or the pod template sidecar.istio.io/inject: "true".`;
        if (kind === 'Pod') ctx.error(o, text, { code: 'IST0147' });
        else ctx.warning(o, text);
      }
    }
  },
};

/** The namespace and pod rules. */
export const ISTIO_WORKLOAD_RULES: readonly IAnalysisRule[] = [ISTIO_NAMESPACE_INJECTION, ISTIO_NAMESPACE_INJECTION_LABELS, ISTIO_PROXY_UID, ISTIO_IMAGE_AUTO];
