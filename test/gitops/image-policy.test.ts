import { Duration, Testing } from 'cdk8s';
import {
  DigestReflection, ImagePolicy, ImagePolicyChoice, ImagePolicySetter, ImageRepository, SortOrder,
} from '../../lib/gitops';
import { WARNING_METADATA } from '../../lib/private/warnings';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';


describe('ImagePolicy', () => {
  test('default: semver policy on a repository in the same namespace', () => {
    const c = chart();
    const repo = new ImageRepository(c, 'podinfo', { image: 'ghcr.io/stefanprodan/podinfo' });
    new ImagePolicy(c, 'podinfo-policy', { imageRepository: repo, policy: ImagePolicyChoice.semver('>=6.0.0') });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(manifests[1]).toEqual({
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImagePolicy',
      metadata: { name: 'podinfo-policy', namespace: 'flux-system' },
      spec: { imageRepositoryRef: { name: 'podinfo' }, policy: { semver: { range: '>=6.0.0' } } },
    });
  });

  test('keeps every field it sets', () => {
    const c = chart();
    const repo = ImageRepository.fromImageRepositoryName('app', 'images');
    const policy = new ImagePolicy(c, 'p', {
      name: 'app',
      namespace: 'apps',
      imageRepository: repo,
      policy: ImagePolicyChoice.numerical(SortOrder.DESC),
      filterTags: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)', extract: '$ts' },
      digestReflection: DigestReflection.always(Duration.minutes(10)),
    });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests[0].spec).toEqual({
      imageRepositoryRef: { name: 'app', namespace: 'images' },
      policy: { numerical: { order: 'desc' } },
      filterTags: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)', extract: '$ts' },
      digestReflectionPolicy: 'Always',
      interval: '10m',
    });
    expect(policy.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => m.data))
      .toEqual([expect.stringMatching(/accessFrom.*\[gitops:cross-namespace-image-repository\]$/)]);
  });

  test('renders alphabetical policies and IfNotPresent reflection', () => {
    const c = chart();
    const repo = ImageRepository.fromImageRepositoryName('app');
    new ImagePolicy(c, 'p', { imageRepository: repo, policy: ImagePolicyChoice.alphabetical(), digestReflection: DigestReflection.IF_NOT_PRESENT });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests[0].spec).toEqual({
      imageRepositoryRef: { name: 'app' }, policy: { alphabetical: { order: 'asc' } }, digestReflectionPolicy: 'IfNotPresent',
    });
  });

  test('setterMarker returns the exact Flux marker text for each setter', () => {
    const c = chart();
    const repo = ImageRepository.fromImageRepositoryName('podinfo');
    const p = new ImagePolicy(c, 'podinfo', {
      imageRepository: repo, policy: ImagePolicyChoice.semver('5.0.x'), digestReflection: DigestReflection.IF_NOT_PRESENT,
    });
    expect(p.setterMarker()).toBe('{"$imagepolicy": "flux-system:podinfo"}');
    expect(p.setterMarker(ImagePolicySetter.IMAGE)).toBe('{"$imagepolicy": "flux-system:podinfo"}');
    expect(p.setterMarker(ImagePolicySetter.TAG)).toBe('{"$imagepolicy": "flux-system:podinfo:tag"}');
    expect(p.setterMarker(ImagePolicySetter.NAME)).toBe('{"$imagepolicy": "flux-system:podinfo:name"}');
    expect(p.setterMarker(ImagePolicySetter.DIGEST)).toBe('{"$imagepolicy": "flux-system:podinfo:digest"}');
    expect(JSON.parse(p.setterMarker(ImagePolicySetter.TAG))).toEqual({ $imagepolicy: 'flux-system:podinfo:tag' });
  });

  test('throws on the digest marker without digest reflection', () => {
    const repo = ImageRepository.fromImageRepositoryName('x');
    const p = new ImagePolicy(chart(), 'p', { imageRepository: repo, policy: ImagePolicyChoice.alphabetical() });
    expect(() => p.setterMarker(ImagePolicySetter.DIGEST))
      .toThrow(/^\[test\/p\] 'setterMarker' needs digest reflection .*got "digest"\. Fix: pass digestReflection: DigestReflection\.IF_NOT_PRESENT/);
  });

  test('throws on a bad semver range, pattern or extract', () => {
    const repo = ImageRepository.fromImageRepositoryName('x');
    expect(() => new ImagePolicy(chart(), 'p', { imageRepository: repo, policy: ImagePolicyChoice.semver('newest') }))
      .toThrow(/^\[test\/p\] 'policy\.semver\.range' must be a semver range, got "newest"\. Fix:/);
    expect(() => new ImagePolicy(chart(), 'p', { imageRepository: repo, policy: ImagePolicyChoice.numerical(), filterTags: { pattern: '^main-(' } }))
      .toThrow(/^\[test\/p\] 'filterTags\.pattern' must be a valid regular expression .*got "\^main-\("\. Fix:/);
    expect(() => new ImagePolicy(chart(), 'p', {
      imageRepository: repo, policy: ImagePolicyChoice.numerical(), filterTags: { pattern: '^main-(?P<ts>[0-9]+)', extract: '$timestamp' },
    })).toThrow(/^\[test\/p\] 'filterTags\.extract' refers to group "timestamp", .*got "\$timestamp"\. Fix: .*\$0, \$ts/);
    expect(() => new ImagePolicy(chart(), 'p', {
      imageRepository: repo, policy: ImagePolicyChoice.numerical(), filterTags: { pattern: '^main-([0-9]+)', extract: '$2' },
    })).toThrow(/'filterTags\.extract' refers to group "2"/);
  });

  test('accepts Go flags and numbered groups in filterTags', () => {
    const c = chart();
    new ImagePolicy(c, 'p', {
      imageRepository: ImageRepository.fromImageRepositoryName('x'),
      policy: ImagePolicyChoice.semver('>=1.0.0'),
      filterTags: { pattern: '(?i)^v?([0-9.]+)-(?P<rc>rc[0-9]+)$', extract: '${1}-${rc}' },
    });
    expect(Testing.synth(c)[0].spec.filterTags).toEqual({ pattern: '(?i)^v?([0-9.]+)-(?P<rc>rc[0-9]+)$', extract: '${1}-${rc}' });
  });

  test('throws on bad names and a bad digest interval', () => {
    const repo = ImageRepository.fromImageRepositoryName('x');
    expect(() => new ImagePolicy(chart(), 'P', { imageRepository: repo, policy: ImagePolicyChoice.alphabetical() }))
      .toThrow(/^\[test\/P\] 'name' must be a DNS-1123 subdomain .*got "P"\. Fix:/);
    const digestReflection = DigestReflection.always(Duration.millis(10));
    expect(() => new ImagePolicy(chart(), 'p', { imageRepository: repo, policy: ImagePolicyChoice.alphabetical(), digestReflection }))
      .toThrow(/^\[test\/p\] 'digestReflection\.interval' must be a whole number of seconds, got "10ms"\. Fix:/);
  });
});
