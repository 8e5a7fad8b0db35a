import { Chart, Duration, Testing } from 'cdk8s';
import {
  CrdPolicy, DriftDetectionMode, GitRef, GitRepository, HelmRelease, HelmRepository, ValuesFrom,
} from '../../lib/gitops';
import { WARNING_METADATA } from '../../lib/private/warnings';
import { expectValidManifests } from '../util/schema';

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

const istio = HelmRepository.fromHelmRepositoryName('istio');

describe('HelmRelease', () => {
  test('default: pinned chart from a HelmRepository, 10m interval', () => {
    const c = chart();
    const repo = new HelmRepository(c, 'jetstack', { url: 'https://charts.jetstack.io' });
    const release = new HelmRelease(c, 'cert-manager', { sourceRef: repo, chart: 'cert-manager', version: 'v1.21.1' });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(manifests.find((m) => m.kind === 'HelmRelease')).toEqual({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'cert-manager', namespace: 'flux-system' },
      spec: {
        chart: { spec: { chart: 'cert-manager', version: 'v1.21.1', sourceRef: { kind: 'HelmRepository', name: 'jetstack' } } },
        interval: '10m',
      },
    });
    expect(release.version).toBe('v1.21.1');
    expect(release.dependsOn).toEqual([]);
  });

  test('keeps every field it sets (no key lost to the generated converters)', () => {
    const c = chart();
    const base = new HelmRelease(c, 'istio-base', { sourceRef: istio, chart: 'base', version: '1.30.3' });
    new HelmRelease(c, 'istiod', {
      name: 'istiod',
      namespace: 'istio-system',
      sourceRef: istio,
      chart: 'istiod',
      version: '1.30.3',
      releaseName: 'istiod',
      targetNamespace: 'istio-system',
      storageNamespace: 'istio-system',
      install: { crds: CrdPolicy.CREATE_REPLACE, createNamespace: true, remediationRetries: 3 },
      upgrade: { crds: CrdPolicy.CREATE_REPLACE, remediationRetries: -1 },
      interval: Duration.minutes(5),
      timeout: Duration.minutes(10),
      values: {
        meshConfig: { accessLogFile: '/dev/stdout', defaultConfig: { proxyMetadata: {} } },
        env: { PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: 'true' },
        replicaCount: 2,
        skipped: undefined,
        'dotted.key': [1, 'two', false, { x: 1.5 }],
      },
      valuesFrom: [
        ValuesFrom.configMap('istiod-values'),
        ValuesFrom.secret('istiod-ca', { valuesKey: 'ca.pem', targetPath: 'meshConfig.caCertificates[0].pem', optional: true }),
      ],
      dependsOn: [base],
      driftDetection: DriftDetectionMode.WARN,
    });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests.find((m) => m.metadata.name === 'istiod')).toEqual({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'istiod', namespace: 'istio-system' },
      spec: {
        chart: { spec: { chart: 'istiod', version: '1.30.3', sourceRef: { kind: 'HelmRepository', name: 'istio', namespace: 'flux-system' } } },
        interval: '5m',
        timeout: '10m',
        releaseName: 'istiod',
        targetNamespace: 'istio-system',
        storageNamespace: 'istio-system',
        install: { crds: 'CreateReplace', createNamespace: true, remediation: { retries: 3 } },
        upgrade: { crds: 'CreateReplace', remediation: { retries: -1 } },
        values: {
          meshConfig: { accessLogFile: '/dev/stdout', defaultConfig: { proxyMetadata: {} } },
          env: { PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: 'true' },
          replicaCount: 2,
          'dotted.key': [1, 'two', false, { x: 1.5 }],
        },
        valuesFrom: [
          { kind: 'ConfigMap', name: 'istiod-values' },
          { kind: 'Secret', name: 'istiod-ca', valuesKey: 'ca.pem', targetPath: 'meshConfig.caCertificates[0].pem', optional: true },
        ],
        dependsOn: [{ name: 'istio-base', namespace: 'flux-system' }],
        driftDetection: { mode: 'warn' },
      },
    });
  });

  test('values are copied when the release is created', () => {
    const c = chart();
    const values = { replicaCount: 1 };
    new HelmRelease(c, 'r', { sourceRef: istio, chart: 'gateway', version: '1.30.3', values });
    values.replicaCount = 5;
    expect(Testing.synth(c)[0].spec.values).toEqual({ replicaCount: 1 });
  });

  test('a chart from a GitRepository is a path, has no version and is rebuilt per revision', () => {
    const c = chart();
    const repo = new GitRepository(c, 'charts', { url: 'https://github.com/acme/charts', ref: GitRef.tag('v2.0.0') });
    new HelmRelease(c, 'podinfo', { sourceRef: repo, chart: './charts/podinfo' });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests[1].spec.chart).toEqual({
      spec: { chart: './charts/podinfo', sourceRef: { kind: 'GitRepository', name: 'charts' }, reconcileStrategy: 'Revision' },
    });
  });

  test('dependsOn added later shows up, sorted and once', () => {
    const c = chart();
    const gateway = new HelmRelease(c, 'gateway', { sourceRef: istio, chart: 'gateway', version: '1.30.3' });
    const istiod = new HelmRelease(c, 'istiod', { sourceRef: istio, chart: 'istiod', version: '1.30.3' });
    const base = new HelmRelease(c, 'base', { sourceRef: istio, chart: 'base', version: '1.30.3' });
    expect(gateway.addDependsOn(istiod)).toBe(gateway);
    gateway.addDependsOn(base).addDependsOn(istiod);
    expect(Testing.synth(c)[0].spec.dependsOn).toEqual([{ name: 'base' }, { name: 'istiod' }]);
  });

  test('warns when the default release name is too long or createNamespace has no target', () => {
    const c = chart();
    const r = new HelmRelease(c, 'r', {
      sourceRef: istio, chart: 'base', version: '1.30.3', name: 'a'.repeat(40), targetNamespace: 'b'.repeat(20),
    });
    const s = new HelmRelease(c, 's', { sourceRef: istio, chart: 'base', version: '1.30.3', install: { createNamespace: true } });
    const warnings = (x: HelmRelease) => x.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => m.data);
    expect(warnings(r)).toEqual([expect.stringMatching(/longer than 53 characters.*\[gitops:release-name-shortened\]$/)]);
    expect(warnings(s)).toEqual([expect.stringMatching(/createNamespace has no effect.*\[gitops:create-namespace-without-target\]$/)]);
  });

  test('throws on an unpinned version, with a suggestion', () => {
    const make = (version?: string) => () => new HelmRelease(chart(), 'rel', { sourceRef: istio, chart: 'istiod', version });
    expect(make('>=1.30.3'))
      .toThrow(/^\[test\/rel\] 'version' must be an exact version, not a range .*got ">=1\.30\.3"\. Fix: pin one version such as "1\.30\.3"/);
    expect(make('*'))
      .toThrow(/^\[test\/rel\] 'version' must be an exact version.*got "\*"\. Fix: pin one version, e\.g\. "1\.30\.3" .*`helm search repo istiod/);
    expect(make('1.x')).toThrow(/'version' must be an exact version.*got "1\.x"\. Fix:/);
    expect(make('^1.2.0')).toThrow(/'version' must be an exact version.*got "\^1\.2\.0"\. Fix: pin one version such as "1\.2\.0"/);
    expect(make(undefined)).toThrow(/^\[test\/rel\] 'version' must pin the chart version .*got nothing\. Fix: pass the exact version/);
  });

  test('throws on values YAML cannot carry faithfully', () => {
    const make = (values: Record<string, unknown>) => () =>
      new HelmRelease(chart(), 'rel', { sourceRef: istio, chart: 'istiod', version: '1.30.3', values });
    expect(make({ pilot: { cpu: { targetAverageUtilization: NaN } } }))
      .toThrow(/^\[test\/rel\] 'values\.pilot\.cpu\.targetAverageUtilization' must be a finite number, got NaN\. Fix: pass plain JSON data/);
    expect(make({ 'a-b': [1, Infinity] })).toThrow(/^\[test\/rel\] 'values\["a-b"\]\[1\]' must be a finite number, got Infinity\. Fix:/);
    expect(make({ hook: function render() { return 1; } }))
      .toThrow(/^\[test\/rel\] 'values\.hook' must be JSON data, not a function, got "function render"\. Fix:/);
    expect(make({ defaultRevision: null })).toThrow(/^\[test\/rel\] 'values\.defaultRevision' must not be null .*got null\. Fix: remove the key/);
    expect(make({ when: new Date(0) })).toThrow(/^\[test\/rel\] 'values\.when' must be a plain object, got "Date"\. Fix:/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(make(cyclic)).toThrow(/'values\.self' must not contain a reference cycle/);
  });

  test('throws on bad sources, charts and references', () => {
    const c = chart();
    const git = new GitRepository(c, 'git', { url: 'https://github.com/acme/charts' });
    expect(() => new HelmRelease(c, 'a', { sourceRef: git, chart: './charts/x', version: '1.0.0' }))
      .toThrow(/^\[test\/a\] 'version' is ignored by Flux for charts from a GitRepository or Bucket, got "1\.0\.0"\. Fix: remove version/);
    expect(() => new HelmRelease(c, 'b', { sourceRef: git, chart: 'charts/x' }))
      .toThrow(/^\[test\/b\] 'chart' must start with "\.\/", got "charts\/x"\. Fix:/);
    expect(() => new HelmRelease(c, 'c', { sourceRef: istio, chart: 'oci://ghcr.io/x/istiod', version: '1.0.0' }))
      .toThrow(/^\[test\/c\] 'chart' must be a chart name .*got "oci:\/\/ghcr.io\/x\/istiod"\. Fix: pass the bare chart name/);
    const valuesFrom = [ValuesFrom.secret('s', { targetPath: 'a b' })];
    expect(() => new HelmRelease(c, 'd', { sourceRef: istio, chart: 'x', version: '1.0.0', valuesFrom }))
      .toThrow(/^\[test\/d\] 'valuesFrom\[0\]\.targetPath' must be a dot-notation values path, got "a b"\. Fix:/);
    expect(() => new HelmRelease(c, 'e', { sourceRef: istio, chart: 'x', version: '1.0.0', releaseName: 'r'.repeat(54) }))
      .toThrow(/^\[test\/e\] 'releaseName' must be at most 53 characters .*got "r{54}"\. Fix:/);
    expect(() => new HelmRelease(c, 'f', { sourceRef: istio, chart: 'x', version: '1.0.0', install: { remediationRetries: 1.5 } }))
      .toThrow(/^\[test\/f\] 'install\.remediationRetries' must be an integer from -1 to .*got 1\.5\. Fix:/);
  });

  test('throws on self-dependency and cycles', () => {
    const c = chart();
    const a = new HelmRelease(c, 'a', { sourceRef: istio, chart: 'x', version: '1.0.0' });
    const b = new HelmRelease(c, 'b', { sourceRef: istio, chart: 'x', version: '1.0.0', dependsOn: [a] });
    expect(() => a.addDependsOn(a)).toThrow(/^\[test\/a\] 'dependsOn' cannot contain the object itself, got "test\/a"\. Fix:/);
    expect(() => a.addDependsOn(b)).toThrow(/^\[test\/a\] 'dependsOn' would create a dependency cycle .*got "test\/a -> test\/b -> test\/a"\. Fix:/);
  });
});
