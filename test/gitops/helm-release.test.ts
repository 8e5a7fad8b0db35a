import { Duration, Lazy, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CrdPolicy, DriftDetectionMode, GitRef, GitRepository, HelmRelease, HelmRepository, ValuesFrom,
} from '../../lib/gitops';
import { WARNING_METADATA } from '../../lib/private/warnings';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';


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

describe('HelmRelease.addValues', () => {
  const make = (values?: Record<string, unknown>) => {
    const c = chart();
    const release = new HelmRelease(c, 'istiod', { sourceRef: istio, chart: 'istiod', version: '1.30.3', values });
    return { c, release, spec: () => Testing.synth(c)[0].spec };
  };

  test('deep-merges into the values given in props, rendered at synthesis', () => {
    const { c, release, spec } = make({ meshConfig: { trustDomain: 'cluster.local' }, pilot: { cni: { enabled: true } } });
    expect(release.addValues({ meshConfig: { accessLogFile: '/dev/stdout' } }, new Construct(c, 'Observability'))).toBe(release);
    release.addValues({ pilot: { env: { EXTERNAL_CA: 'ISTIOD_RA_KUBERNETES_API' } } });
    expect(spec().values).toEqual({
      meshConfig: { trustDomain: 'cluster.local', accessLogFile: '/dev/stdout' },
      pilot: { cni: { enabled: true }, env: { EXTERNAL_CA: 'ISTIOD_RA_KUBERNETES_API' } },
    });
    expectValidManifests(Testing.synth(c));
  });

  test('setting the same value again is no conflict; values are copied when added', () => {
    const { release, spec } = make({ a: { b: 1, list: [1, { x: 'y', z: 2 }] } });
    const again = { a: { list: [1, { z: 2, x: 'y' }] } };
    release.addValues(again);
    (again.a.list[1] as Record<string, unknown>).z = 3;
    expect(spec().values).toEqual({ a: { b: 1, list: [1, { x: 'y', z: 2 }] } });
  });

  test('throws when two constructs set one leaf to different values, naming both paths and both values', () => {
    const { c, release } = make({ meshConfig: { accessLogFile: '' }, pilot: { cni: { enabled: true } } });
    const obs = new Construct(c, 'Observability');
    expect(() => release.addValues({ meshConfig: { accessLogFile: '/dev/stdout' } }, obs))
      .toThrow(/^\[test\/istiod\] 'values\.meshConfig\.accessLogFile' is set by test\/istiod and by test\/Observability, to different values, got \{"test\/istiod":"","test\/Observability":"\/dev\/stdout"\}\. Fix: set it in one place/);
    // a leaf added by one construct inside an object another one started is named after the construct that added it
    release.addValues({ pilot: { env: { A: '1' } } }, obs);
    expect(() => release.addValues({ pilot: { env: { A: '2' } } }, new Construct(c, 'Vm')))
      .toThrow(/'values\.pilot\.env\.A' is set by test\/Observability and by test\/Vm, to different values/);
    expect(() => release.addValues({ pilot: { env: 'x' } }))
      .toThrow(/'values\.pilot\.env' is set by test\/Observability and by test\/istiod, to different values, got \{"test\/Observability":\{"A":"1"\},"test\/istiod":"x"\}/);
    expect(() => release.addValues({ 'a.b': 1 }).addValues({ 'a.b': 2 })).toThrow(/'values\["a\.b"\]' is set twice by test\/istiod, to different values, got \[1,2\]/);
  });

  test('lists are leaves: replaced as a whole, never merged, so two different lists are a conflict', () => {
    const { c, release, spec } = make({ global: { certSigners: ['a'] } });
    expect(() => release.addValues({ global: { certSigners: ['b'] } }, new Construct(c, 'Ca')))
      .toThrow(/'values\.global\.certSigners' is set by test\/istiod and by test\/Ca, to different values, got \{"test\/istiod":\["a"\],"test\/Ca":\["b"\]\}/);
    expect(() => release.addValues({ global: { certSigners: ['a', 'b'] } })).toThrow(/'values\.global\.certSigners' is set twice/);
    expect(spec().values).toEqual({ global: { certSigners: ['a'] } });
  });

  test('lazy values are produced at synthesis; their conflicts are reported then', () => {
    const { c, release, spec } = make();
    const signers: string[] = [];
    release.addValues(Lazy.any({ produce: () => (signers.length ? { global: { certSigners: [...signers] } } : undefined) }));
    release.addValues({ global: { meshID: 'mesh1', network: Lazy.any({ produce: () => undefined }) } });
    expect(spec().values).toEqual({ global: { meshID: 'mesh1' } });
    signers.push('b', 'a');
    expect(spec().values).toEqual({ global: { meshID: 'mesh1', certSigners: ['b', 'a'] } });
    release.addValues({ global: { certSigners: Lazy.any({ produce: () => ['a'] }) } }, new Construct(c, 'Late'));
    expect(() => Testing.synth(c)).toThrow(/'values\.global\.certSigners' is set by test\/istiod and by test\/Late, to different values/);
  });

  test('deterministic: keys sorted, independent of the order of calls', () => {
    const build = (reverse: boolean) => {
      const { c, release } = make();
      const parts = [{ z: 1, pilot: { env: { B: 'b' } } }, { a: [{ y: 1, x: 2 }], pilot: { env: { A: 'a' }, cni: { enabled: true } } }];
      for (const p of reverse ? parts.reverse() : parts) release.addValues(p);
      // what the construct renders (e.g. MeshPlatform.istiodValues()) and what synthesis writes
      return [JSON.stringify(release._toKube().values), JSON.stringify(Testing.synth(c)[0].spec.values)];
    };
    const sorted = '{"a":[{"x":2,"y":1}],"pilot":{"cni":{"enabled":true},"env":{"A":"a","B":"b"}},"z":1}';
    expect(build(false)).toEqual([sorted, sorted]);
    expect(build(true)).toEqual([sorted, sorted]);
  });

  test('throws on values YAML cannot carry faithfully, and on a root that is not an object', () => {
    const { c, release } = make();
    expect(() => release.addValues({ replicaCount: NaN })).toThrow(/^\[test\/istiod\] 'values\.replicaCount' must be a finite number/);
    expect(() => release.addValues(['a'] as unknown as Record<string, unknown>)).toThrow(/'values' must be an object of Helm values, got \["a"\]/);
    release.addValues({ x: Lazy.any({ produce: () => null }) });
    expect(() => Testing.synth(c)).toThrow(/'values\.x' must not be null/);
  });
});

describe('HelmRelease.addValuesFrom', () => {
  const make = (valuesFrom?: ValuesFrom[]) => {
    const c = chart();
    const release = new HelmRelease(c, 'istiod', { sourceRef: istio, chart: 'istiod', version: '1.30.3', valuesFrom });
    return { c, release, spec: () => Testing.synth(c)[0].spec };
  };

  test('appends references in call order (the order Flux merges them), an equal one once', () => {
    const { release, spec } = make([ValuesFrom.configMap('base')]);
    expect(release.addValuesFrom([ValuesFrom.secret('ca', { valuesKey: 'ca.crt', targetPath: 'a.pem' })])).toBe(release);
    release.addValuesFrom([ValuesFrom.configMap('base'), ValuesFrom.configMap('override', { optional: true })]);
    expect(spec().valuesFrom).toEqual([
      { kind: 'ConfigMap', name: 'base' },
      { kind: 'Secret', name: 'ca', valuesKey: 'ca.crt', targetPath: 'a.pem' },
      { kind: 'ConfigMap', name: 'override', optional: true },
    ]);
  });

  test('throws on two references for one targetPath, naming both constructs', () => {
    const { c, release } = make([ValuesFrom.secret('ca-a', { targetPath: 'meshConfig.caCertificates[0].pem' })]);
    expect(() => release.addValuesFrom([ValuesFrom.secret('ca-b', { targetPath: 'meshConfig.caCertificates[0].pem' })], new Construct(c, 'Ca')))
      .toThrow(/^\[test\/istiod\] 'valuesFrom\[1\]\.targetPath' is set by test\/Ca and is also the targetPath of Secret\/ca-a set by test\/istiod .*got "meshConfig\.caCertificates\[0\]\.pem"\. Fix:/);
    expect(() => release.addValuesFrom([ValuesFrom.secret('s', { targetPath: 'a b' })])).toThrow(/'valuesFrom\[1\]\.targetPath' must be a dot-notation values path/);
  });

  test('a lazy list is produced at synthesis', () => {
    const { c, release, spec } = make();
    const names: string[] = [];
    release.addValuesFrom(Lazy.any({ produce: () => names.map((n) => ValuesFrom.secret(n)) }));
    expect(spec().valuesFrom).toBeUndefined();
    names.push('b', 'a');
    expect(spec().valuesFrom).toEqual([{ kind: 'Secret', name: 'b' }, { kind: 'Secret', name: 'a' }]);
    release.addValuesFrom([Lazy.any({ produce: () => 'not-a-reference' })]);
    expect(() => Testing.synth(c)).toThrow(/'valuesFrom\[2\]' must be a ValuesFrom, got "not-a-reference"\. Fix: pass ValuesFrom\.configMap\(\)/);
  });
});
