/**
 * Codes of the built-in rules that do not declare one (`IAnalysisRule.code` wins). `IST` codes are the `istioctl analyze`
 * messages a rule mirrors (https://istio.io/latest/docs/reference/config/analysis/); `MESH` codes are this library's own.
 * A code, once given, is never reused for another rule.
 */
export const BUILTIN_CODES: Readonly<Record<string, string>> = {
  'duplicate-object': 'MESH0001',
  'secret-data': 'MESH0002',
  'gateway-credential': 'MESH0003',
  'certificate-secret-unique': 'MESH0004',
  'peer-authentication-conflict': 'MESH0005',
  'sidecarless-mtls': 'MESH0006',
  'flagger-reserved-names': 'MESH0007',
  'flagger-target': 'MESH0008',
  'flagger-metrics': 'MESH0009',
  'flagger-analysis': 'MESH0010',
  'service-entry-workload-selector': 'MESH0011',
  'workload-entry-dns-address': 'MESH0012',
  'flux-depends-on': 'MESH0013',
  'flux-source-ref': 'MESH0014',
  'helm-release-pinned': 'MESH0015',
  'platform-values': 'MESH0016',
  'object-name': 'MESH0017',
  'label-syntax': 'MESH0018',
  'finite-number': 'MESH0019',
  'object-size': 'MESH0020',
  'image-reference': 'MESH0021',
  'dropped-key': 'MESH0022',
  // IST0128; findings about one port carry IST0129.
  'destination-rule-ca-certificates': 'IST0128',
};
