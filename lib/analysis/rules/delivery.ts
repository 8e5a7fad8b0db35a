import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf } from '../label-index';

const KUSTOMIZE = 'kustomize.toolkit.fluxcd.io';
const HELM = 'helm.toolkit.fluxcd.io';
const SOURCE = 'source.toolkit.fluxcd.io';
/** The objects `flux bootstrap` creates in the cluster: referenced, never synthesized. */
const BOOTSTRAP = new Set([`${SOURCE}/GitRepository/flux-system/flux-system`, `${KUSTOMIZE}/Kustomization/flux-system/flux-system`]);

function ns(o: AnalyzedObject): string {
  return o.manifest.metadata.namespace ?? 'default';
}

/** Flux reconciles dependsOn targets in order: one that does not exist blocks forever; a cycle deadlocks. */
function checkDependsOn(ctx: AnalysisContext, group: string, kind: string): void {
  const objects = ctx.ofKind(kind, group);
  const edges = new Map<string, string[]>();
  const byKey = new Map<string, AnalyzedObject>();
  for (const o of objects) byKey.set(`${ns(o)}/${o.manifest.metadata.name}`, o);
  for (const o of objects) {
    const from = `${ns(o)}/${o.manifest.metadata.name}`;
    const targets: string[] = [];
    for (const d of arrayOf(o.manifest.spec?.dependsOn)) {
      if (!d || typeof d !== 'object') continue;
      const key = `${d.namespace ?? ns(o)}/${d.name}`;
      if (!byKey.has(key) && !BOOTSTRAP.has(`${group}/${kind}/${key}`)) {
        ctx.error(o, `${kind} "${from}" depends on ${kind} "${key}", which is not in this cluster's output: Flux would wait for it forever. `
          + `Fix: add that ${kind}, or remove it from dependsOn.`);
      }
      targets.push(key);
    }
    edges.set(from, targets);
  }
  // Iterative DFS, linear in objects + edges.
  const state = new Map<string, 1 | 2>();
  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    const stack: [string, number][] = [[start, 0]];
    const trail: string[] = [start];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const next = (edges.get(top[0]) ?? [])[top[1]++];
      if (next === undefined) {
        state.set(top[0], 2);
        stack.pop();
        trail.pop();
      } else if (state.get(next) === 1) {
        const cycle = [...trail.slice(trail.indexOf(next)), next];
        ctx.error(byKey.get(next)!, `${kind} dependsOn forms a cycle (${cycle.join(' -> ')}): none of them is ever applied. Fix: remove one of these dependencies.`);
      } else if (!state.has(next) && edges.has(next)) {
        state.set(next, 1);
        stack.push([next, 0]);
        trail.push(next);
      }
    }
  }
}

/** Kustomization and HelmRelease dependsOn targets exist in the cluster's output, without cycles. */
export const FLUX_DEPENDS_ON: IAnalysisRule = {
  id: 'flux-depends-on',
  severity: FindingSeverity.ERROR,
  description: 'Every Flux Kustomization and HelmRelease dependsOn target exists in the same cluster, and dependsOn has no cycle.',
  check(ctx) {
    checkDependsOn(ctx, KUSTOMIZE, 'Kustomization');
    checkDependsOn(ctx, HELM, 'HelmRelease');
  },
};

/** A sourceRef to a missing source leaves the Kustomization or HelmRelease not Ready, and everything after it waits. */
export const FLUX_SOURCE_REF: IAnalysisRule = {
  id: 'flux-source-ref',
  severity: FindingSeverity.ERROR,
  description: 'Every Flux Kustomization sourceRef and HelmRelease chart sourceRef names a source in the output (or the bootstrap GitRepository).',
  check(ctx) {
    const refs: [AnalyzedObject, any][] = [
      ...ctx.ofKind('Kustomization', KUSTOMIZE).map((o): [AnalyzedObject, any] => [o, o.manifest.spec?.sourceRef]),
      ...ctx.ofKind('HelmRelease', HELM).map((o): [AnalyzedObject, any] => [o, o.manifest.spec?.chart?.spec?.sourceRef]),
    ];
    for (const [o, ref] of refs) {
      if (!ref?.kind || !ref.name) continue; // chartRef or a schema error: not this rule's concern
      const key = `${ref.namespace ?? ns(o)}/${ref.name}`;
      if (ctx.find(SOURCE, ref.kind, ref.namespace ?? ns(o), ref.name) || BOOTSTRAP.has(`${SOURCE}/${ref.kind}/${key}`)) continue;
      ctx.error(o, `${o.manifest.kind} "${ns(o)}/${o.manifest.metadata.name}" reads ${ref.kind} "${key}", which is not in this cluster's output. `
        + `Fix: add the ${ref.kind} (a HelmRepository or GitRepository construct), or point sourceRef at an existing one.`);
    }
  },
};

/** A HelmRelease whose chart version is a range upgrades whenever the repository publishes: not GitOps. */
export const HELM_RELEASE_PINNED: IAnalysisRule = {
  id: 'helm-release-pinned',
  severity: FindingSeverity.ERROR,
  description: 'Every HelmRelease from a HelmRepository pins an exact chart version.',
  check(ctx) {
    for (const o of ctx.ofKind('HelmRelease', HELM)) {
      const spec = o.manifest.spec?.chart?.spec;
      if (!spec || spec.sourceRef?.kind !== 'HelmRepository') continue;
      if (typeof spec.version !== 'string' || !/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(spec.version)) {
        ctx.error(o, `HelmRelease "${ns(o)}/${o.manifest.metadata.name}" chart ${spec.chart} has version ${JSON.stringify(spec.version ?? '(unset: latest)')}, `
          + 'so every new chart release is installed without a commit. Fix: pin an exact version such as "1.30.3".');
      }
    }
  },
};

/** The istiod HelmRelease of the cluster, if the platform is installed with Flux. */
function istiodRelease(ctx: AnalysisContext): AnalyzedObject | undefined {
  return ctx.ofKind('HelmRelease', HELM).find((o) => o.manifest.spec?.chart?.spec?.chart === 'istiod');
}

/**
 * Features the manifests use need istiod settings: tenant CA signers (ProxyConfig ISTIO_META_CERT_SIGNER) need
 * `global.certSigners`; CUSTOM authorization providers and Telemetry providers need `meshConfig.extensionProviders`;
 * auto-registering VMs (WorkloadGroup) need WorkloadEntry auto-registration not to be turned off. Checked only when
 * istiod is installed by a HelmRelease of the same output.
 */
export const PLATFORM_VALUES: IAnalysisRule = {
  id: 'platform-values',
  severity: FindingSeverity.ERROR,
  description: 'When istiod is installed from the output, it has the values the mesh objects rely on (cert signers, extension providers, VM auto-registration).',
  check(ctx) {
    const istiod = istiodRelease(ctx);
    if (!istiod) return;
    const values = istiod.manifest.spec?.values ?? {};
    const signers = new Set<string>(values.global?.certSigners ?? []);
    const providers = new Set<string>(arrayOf(values.meshConfig?.extensionProviders).map((p: any) => p?.name).filter((n): n is string => typeof n === 'string'));
    const env = { ...(values.env ?? {}), ...(values.pilot?.env ?? {}) };
    const where = `the istiod HelmRelease "${ns(istiod)}/${istiod.manifest.metadata.name}"`;
    for (const o of ctx.ofKind('ProxyConfig')) {
      const signer = o.manifest.spec?.environmentVariables?.ISTIO_META_CERT_SIGNER;
      if (signer && ![...signers].some((s) => s.endsWith(`/${signer}`))) {
        ctx.error(o, `ProxyConfig "${ns(o)}/${o.manifest.metadata.name}" asks for certificates from signer "${signer}", which ${where} does not list in global.certSigners: `
          + 'the workloads get no certificate. Fix: add the tenant with MeshPlatform.addTenantCertificateAuthority().');
      }
    }
    for (const o of ctx.ofKind('AuthorizationPolicy', 'security.istio.io')) {
      const provider = o.manifest.spec?.action === 'CUSTOM' ? o.manifest.spec?.provider?.name : undefined;
      if (provider && !providers.has(provider)) {
        ctx.error(o, `AuthorizationPolicy "${ns(o)}/${o.manifest.metadata.name}" uses the CUSTOM provider "${provider}", which ${where} does not define in `
          + 'meshConfig.extensionProviders: Istio rejects every request it selects. Fix: declare it with MeshPlatform.addAuthorizationProvider().');
      }
    }
    for (const o of ctx.ofKind('Telemetry', 'telemetry.istio.io')) {
      const named = [...(o.manifest.spec?.tracing ?? []), ...(o.manifest.spec?.accessLogging ?? [])]
        .flatMap((x: { providers?: { name: string }[] }) => x.providers ?? []).map((p: { name: string }) => p.name)
        .filter((n: string) => n !== 'envoy' && !providers.has(n));
      if (named.length > 0) {
        ctx.error(o, `Telemetry "${ns(o)}/${o.manifest.metadata.name}" names the providers ${JSON.stringify(named)}, which ${where} does not define in `
          + 'meshConfig.extensionProviders. Fix: pass the MeshObservability to MeshPlatform.useObservability().');
      }
    }
    if (ctx.ofKind('WorkloadGroup', 'networking.istio.io').length > 0 && String(env.PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION) === 'false') {
      ctx.error(istiod, `${where} turns WorkloadEntry auto-registration off, but the output has WorkloadGroups whose VMs register themselves. `
        + 'Fix: remove PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION=false (MeshPlatform.enableVmWorkloads() sets it on).');
    }
  },
};
