import type { AnalysisContext, IAnalysisRule } from '../context';
import { FindingSeverity, objectId } from '../context';
import { meshModel, nsOf } from '../model';
import { arrayOf } from '../label-index';

/** `<namespace>/<secretName>` of every Secret a cert-manager Certificate of the output writes → the Certificates' paths. */
function certificateSecrets(ctx: AnalysisContext): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const o of ctx.ofKind('Certificate', 'cert-manager.io')) {
    const key = `${o.manifest.metadata.namespace ?? 'default'}/${o.manifest.spec?.secretName}`;
    out.set(key, [...(out.get(key) ?? []), o.path]);
  }
  return out;
}

/**
 * An Istio gateway reads `credentialName` only from the namespace where its pods run. A name no Certificate
 * produces there leaves the listener without a certificate: Envoy rejects the TLS handshake for its hosts.
 */
export const GATEWAY_CREDENTIAL: IAnalysisRule = {
  id: 'gateway-credential',
  severity: FindingSeverity.ERROR,
  description: 'Every Gateway credentialName is produced by a cert-manager Certificate in the gateway workload\'s namespace.',
  check(ctx: AnalysisContext) {
    const secrets = certificateSecrets(ctx);
    // Secrets other tools create from objects of the output: External Secrets, Sealed Secrets, a Secret declared as is.
    for (const [kind, group] of [['ExternalSecret', 'external-secrets.io'], ['SealedSecret', 'bitnami.com'], ['Secret', '']]) {
      for (const o of ctx.ofKind(kind, group)) {
        const name = kind === 'ExternalSecret' ? o.manifest.spec?.target?.name ?? o.manifest.metadata.name : o.manifest.metadata.name;
        const key = `${nsOf(o)}/${name}`;
        if (!secrets.has(key)) secrets.set(key, []);
      }
    }
    const model = meshModel(ctx);
    for (const o of ctx.ofKind('Gateway', 'networking.istio.io')) {
      // Where the pods run: as the program declares it (the Gateway construct), else as the selector finds them (a
      // workload or gateway HelmRelease of the output, Istio's default gateways), else next to the Gateway object.
      const workloadNs = model.gatewayPods(o).map((p) => p.namespace).sort()[0] ?? nsOf(o);
      const external = new Set(ctx.facts.externalCredentials?.get(objectId(o.manifest)) ?? []);
      for (const server of arrayOf(o.manifest.spec?.servers)) {
        const tls = server?.tls ?? {};
        const names: [string, string][] = [
          ...(tls.credentialName ? [['credentialName', tls.credentialName] as [string, string]] : []),
          ...((tls.credentialNames ?? []) as string[]).map((n) => ['credentialNames', n] as [string, string]),
          ...(tls.caCertCredentialName ? [['caCertCredentialName', tls.caCertCredentialName] as [string, string]] : []),
        ];
        for (const [field, name] of names) {
          if (external.has(name) || secrets.has(`${workloadNs}/${name}`)) continue;
          const elsewhere = [...secrets.entries()].filter(([k, by]) => k.endsWith(`/${name}`) && by.length > 0).map(([k]) => k.split('/')[0]);
          ctx.error(o, `Gateway "${o.manifest.metadata.name}" server "${server.name ?? server.port?.number}" '${field}' "${name}" is not produced by any `
            + `cert-manager Certificate in namespace "${workloadNs}", where the gateway pods run and Istio looks for it`
            + (elsewhere.length ? ` (a Certificate writes it in ${elsewhere.map((n) => `"${n}"`).join(', ')}, which the gateway cannot read)` : '')
            + `. Fix: issue the certificate there (Gateway.addHttpsServer({ credential: GatewayCredential.issue({ issuer }) })), create a Certificate with `
            + `namespace "${workloadNs}" and secretName "${name}", or declare a Secret managed elsewhere with GatewayCredential.fromExternalSecret("${name}").`);
        }
      }
    }
  },
};

const TLS_ORIGINATING = new Set(['SIMPLE', 'MUTUAL']);

/** In-cluster names (`x.ns.svc.<cluster domain>`, `*.local`, short names) are not external hosts. */
function isExternalHost(host: string, clusterDomain: string): boolean {
  return typeof host === 'string' && host.includes('.') && !host.endsWith('.local') && !host.endsWith('.local.') && !host.endsWith(`.svc.${clusterDomain}`);
}

/**
 * Istio analyzer IST0128 / IST0129: a DestinationRule with TLS SIMPLE or MUTUAL but no caCertificates (and no
 * credentialName whose Secret carries ca.crt) does not pin the CA that must have signed the external server.
 */
export const DESTINATION_RULE_CA_CERTIFICATES: IAnalysisRule = {
  id: 'destination-rule-ca-certificates',
  severity: FindingSeverity.WARNING,
  code: 'IST0128',
  description: 'DestinationRules originating TLS to external hosts verify the server against caCertificates (Istio IST0128).',
  check(ctx: AnalysisContext) {
    for (const o of ctx.ofKind('DestinationRule', 'networking.istio.io')) {
      const spec = o.manifest.spec ?? {};
      const host: string = spec.host ?? '';
      if (!isExternalHost(host, ctx.settings.clusterDomain)) continue;
      const ns = o.manifest.metadata.namespace ?? 'default';
      const name = o.manifest.metadata.name;
      const check = (tls: any, where: string, port?: number) => {
        if (!tls || !TLS_ORIGINATING.has(tls.mode) || tls.caCertificates || tls.credentialName || tls.insecureSkipVerify) return;
        const code = port !== undefined ? 'IST0129' : 'IST0128';
        ctx.warning(o, `DestinationRule ${name} in namespace ${ns} has TLS mode set to ${tls.mode} but no caCertificates are set to validate server identity `
          + `for host: ${host}${port !== undefined ? ` at port ${port}` : ''}${where} (Istio ${code}). `
          + 'Fix: set tls.caCertificates to the CA bundle path in the proxy (e.g. /etc/ssl/certs/ca-certificates.crt), or credentialName of a Secret with ca.crt.', { code });
      };
      const visit = (policy: any, where: string) => {
        if (!policy) return;
        check(policy.tls, where);
        for (const p of policy.portLevelSettings ?? []) check(p.tls, where, p.port?.number);
      };
      visit(spec.trafficPolicy, '');
      for (const s of spec.subsets ?? []) visit(s.trafficPolicy, ` (subset ${s.name})`);
    }
  },
};

/** Two Certificates writing one Secret overwrite each other's key pair on every renewal. */
export const CERTIFICATE_SECRET_UNIQUE: IAnalysisRule = {
  id: 'certificate-secret-unique',
  severity: FindingSeverity.ERROR,
  description: 'No two cert-manager Certificates write the same Secret in one namespace.',
  check(ctx: AnalysisContext) {
    for (const [key, paths] of certificateSecrets(ctx)) {
      if (paths.length < 2) continue;
      const [ns, secret] = key.split('/');
      for (const path of paths.slice(1)) {
        ctx.error(path, `Certificate writes Secret "${secret}" in namespace "${ns}", which Certificate [${paths[0]}] also writes; cert-manager would `
          + 'keep re-issuing one over the other. Fix: give one of them another secretName, or merge their dnsNames into one Certificate.');
      }
    }
  },
};
