import type { AnalysisContext, AnalyzedObject, IAnalysisRule } from '../context';
import { FindingSeverity } from '../context';
import { arrayOf } from '../label-index';
import { meshModel, nsOf, refOf } from '../model';

/*
 * Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/), one rule per control:
 * the "restricted" profile (non-root, no privilege escalation, capabilities dropped, seccomp) and the "baseline" one
 * (no host namespaces, no hostPath, not privileged). A namespace enforcing a profile rejects pods that break it; one that
 * does not runs them with more power than they need. Only the containers of the output are checked: the sidecar Istio
 * injects is Istio's (use istio-cni so that its init container needs no NET_ADMIN).
 */

interface Container {
  readonly name: string;
  readonly list: string;
  readonly c: any;
}

/** The workloads of the output (not VMs, not Windows pods) with their pod spec and containers. */
export function workloads(ctx: AnalysisContext): Array<{ o: AnalyzedObject; kind: string; spec: any; containers: Container[] }> {
  const out: Array<{ o: AnalyzedObject; kind: string; spec: any; containers: Container[] }> = [];
  for (const p of meshModel(ctx).podSets) {
    if (p.origin !== 'manifest' || !p.object || !p.spec || p.vm) continue;
    const containers: Container[] = [];
    for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
      for (const c of arrayOf(p.spec[list])) if (c && typeof c === 'object') containers.push({ name: String(c.name), list, c });
    }
    out.push({ o: p.object, kind: p.kind, spec: p.spec, containers });
  }
  return out;
}

/** Reports, once per workload, the containers that break a control. */
function perContainer(ctx: AnalysisContext, control: string, fix: string, breaks: (c: any, pod: any) => string | undefined): void {
  for (const { o, kind, spec, containers } of workloads(ctx)) {
    if (spec.os?.name === 'windows') continue;
    const bad = containers.map(({ name, c }) => [name, breaks(c, spec)] as const).filter(([, why]) => why !== undefined);
    if (bad.length === 0) continue;
    ctx.warning(o, `${kind} ${refOf(o)}: ${bad.map(([name, why]) => `container "${name}" ${why}`).join('; ')} (Pod Security ${control}). Fix: ${fix}`);
  }
}

export const WORKLOAD_RUN_AS_NON_ROOT: IAnalysisRule = {
  id: 'workload-run-as-non-root',
  code: 'MESH0101',
  severity: FindingSeverity.WARNING,
  description: 'Containers run as non-root: securityContext.runAsNonRoot true (pod or container), runAsUser not 0 (Pod Security restricted).',
  check(ctx) {
    perContainer(ctx, 'restricted, "Running as Non-root"', 'set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the pod or each container.', (c, pod) => {
      const user = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      if (user === 0) return 'runs as user 0 (root)';
      return (c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) === true ? undefined : 'does not set runAsNonRoot: true';
    });
  },
};

export const WORKLOAD_PRIVILEGE_ESCALATION: IAnalysisRule = {
  id: 'workload-privilege-escalation',
  code: 'MESH0102',
  severity: FindingSeverity.WARNING,
  description: 'Containers set securityContext.allowPrivilegeEscalation: false (Pod Security restricted).',
  check(ctx) {
    perContainer(ctx, 'restricted, "Privilege Escalation"', 'set securityContext.allowPrivilegeEscalation: false on each container.',
      (c) => (c.securityContext?.allowPrivilegeEscalation === false ? undefined : `has allowPrivilegeEscalation ${c.securityContext?.allowPrivilegeEscalation ?? 'unset (true)'}`));
  },
};

export const WORKLOAD_CAPABILITIES: IAnalysisRule = {
  id: 'workload-capabilities',
  code: 'MESH0103',
  severity: FindingSeverity.WARNING,
  description: 'Containers drop ALL capabilities and add none but NET_BIND_SERVICE (Pod Security restricted).',
  check(ctx) {
    perContainer(ctx, 'restricted, "Capabilities"', 'set securityContext.capabilities: { drop: ["ALL"] } (add only NET_BIND_SERVICE, when binding a port below 1024).', (c) => {
      const caps = c.securityContext?.capabilities ?? {};
      const added = arrayOf(caps.add).filter((x) => x !== 'NET_BIND_SERVICE');
      if (added.length > 0) return `adds capabilities ${added.join(', ')}`;
      return arrayOf(caps.drop).includes('ALL') ? undefined : 'does not drop ALL capabilities';
    });
  },
};

export const WORKLOAD_SECCOMP: IAnalysisRule = {
  id: 'workload-seccomp',
  code: 'MESH0104',
  severity: FindingSeverity.WARNING,
  description: 'Pods or containers set seccompProfile.type RuntimeDefault or Localhost (Pod Security restricted).',
  check(ctx) {
    perContainer(ctx, 'restricted, "Seccomp"', 'set securityContext.seccompProfile: { type: RuntimeDefault } on the pod.', (c, pod) => {
      const type = c.securityContext?.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
      return type === 'RuntimeDefault' || type === 'Localhost' ? undefined : `has seccomp profile ${type ?? 'unset (Unconfined on most runtimes)'}`;
    });
  },
};

export const WORKLOAD_PRIVILEGED: IAnalysisRule = {
  id: 'workload-privileged',
  code: 'MESH0105',
  severity: FindingSeverity.WARNING,
  description: 'No container is privileged (Pod Security baseline).',
  check(ctx) {
    perContainer(ctx, 'baseline, "Privileged Containers"', 'remove securityContext.privileged (grant the single capability the container needs instead).',
      (c) => (c.securityContext?.privileged === true ? 'is privileged' : undefined));
  },
};

export const WORKLOAD_HOST_NAMESPACES: IAnalysisRule = {
  id: 'workload-host-namespaces',
  code: 'MESH0106',
  severity: FindingSeverity.WARNING,
  description: 'Pods share no host namespace: hostNetwork, hostPID and hostIPC are not true (Pod Security baseline).',
  check(ctx) {
    for (const { o, kind, spec } of workloads(ctx)) {
      const shared = ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => spec[k] === true);
      if (shared.length === 0) continue;
      ctx.warning(o, `${kind} ${refOf(o)} sets ${shared.map((k) => `${k}: true`).join(', ')}: its pods share the node's namespaces (Pod Security baseline, `
        + '"Host Namespaces"), and a pod with hostNetwork bypasses the sidecar\'s traffic capture. Fix: remove them (use a Service or a NodePort to reach the pods).');
    }
  },
};

export const WORKLOAD_HOST_PATH: IAnalysisRule = {
  id: 'workload-host-path',
  code: 'MESH0107',
  severity: FindingSeverity.WARNING,
  description: 'Pods mount no hostPath volume (Pod Security baseline).',
  check(ctx) {
    for (const { o, kind, spec } of workloads(ctx)) {
      const volumes = arrayOf(spec.volumes).filter((v: any) => v?.hostPath !== undefined);
      if (volumes.length === 0) continue;
      ctx.warning(o, `${kind} ${refOf(o)} mounts hostPath volumes ${volumes.map((v: any) => `"${v.name}" (${v.hostPath?.path})`).join(', ')}: the pod reads or writes the `
        + 'node\'s file system (Pod Security baseline, "HostPath Volumes"). Fix: use an emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim.');
    }
  },
};

const ENFORCE = 'pod-security.kubernetes.io/enforce';
const HELM = 'helm.toolkit.fluxcd.io';

/**
 * Istio's injected `istio-init` container needs NET_ADMIN and NET_RAW, which Pod Security baseline and restricted refuse:
 * in a namespace enforcing them, pods with a sidecar are rejected unless the Istio CNI plugin replaces istio-init. The CNI
 * DaemonSet itself needs hostPath, so its own namespace must enforce privileged. Checked when the output installs istiod.
 */
export const WORKLOAD_SIDECAR_POD_SECURITY: IAnalysisRule = {
  id: 'workload-sidecar-pod-security',
  code: 'MESH0108',
  severity: FindingSeverity.ERROR,
  description: 'Namespaces enforcing Pod Security baseline/restricted get sidecars only with the Istio CNI plugin installed, and the CNI\'s own namespace does not enforce them.',
  check(ctx) {
    const releases = ctx.ofKind('HelmRelease', HELM);
    const istiod = releases.find((o) => o.manifest.spec?.chart?.spec?.chart === 'istiod');
    if (!istiod) return;
    const cni = releases.find((o) => o.manifest.spec?.chart?.spec?.chart === 'cni');
    const values = istiod.manifest.spec?.values ?? {};
    const cniEnabled = cni !== undefined || values.pilot?.cni?.enabled === true || values.istio_cni?.enabled === true;
    const model = meshModel(ctx);
    for (const ns of ctx.ofKind('Namespace', '')) {
      const level = ns.manifest.metadata.labels?.[ENFORCE];
      if (level !== 'baseline' && level !== 'restricted') continue;
      const name = ns.manifest.metadata.name;
      const cniHere = cni && (cni.manifest.spec?.targetNamespace ?? nsOf(cni)) === name;
      if (cniHere) {
        ctx.error(ns, `Namespace ${name} enforces Pod Security "${level}", but the Istio CNI DaemonSet (HelmRelease ${refOf(cni)}) runs there and needs hostPath `
          + 'volumes and host networking: its pods are rejected, and no pod of the mesh starts. Fix: label the namespace pod-security.kubernetes.io/enforce: privileged.');
        continue;
      }
      const meshed = model.podsIn(name).filter((p) => p.origin === 'manifest' && p.proxy === 'sidecar' && !p.vm);
      if (cniEnabled || meshed.length === 0) continue;
      ctx.error(ns, `Namespace ${name} enforces Pod Security "${level}" and its workloads get a sidecar (${meshed.slice(0, 3).map((p) => p.name).join(', ')}`
        + `${meshed.length > 3 ? ', ...' : ''}), but istiod (HelmRelease ${refOf(istiod)}) is installed without the Istio CNI plugin: the injected istio-init `
        + 'container needs NET_ADMIN and NET_RAW, so the API server rejects the pods. Fix: install Istio\'s "cni" chart (MeshPlatform installs it), or relax the namespace\'s Pod Security level.');
    }
  },
};

/** The Pod Security rules. */
export const WORKLOAD_SECURITY_RULES: readonly IAnalysisRule[] = [
  WORKLOAD_RUN_AS_NON_ROOT, WORKLOAD_PRIVILEGE_ESCALATION, WORKLOAD_CAPABILITIES, WORKLOAD_SECCOMP, WORKLOAD_PRIVILEGED, WORKLOAD_HOST_NAMESPACES, WORKLOAD_HOST_PATH,
  WORKLOAD_SIDECAR_POD_SECURITY,
];
