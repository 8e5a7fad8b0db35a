import { Duration, Testing } from 'cdk8s';
import { GitRef, GitRefType, GitRepository, SourceKind } from '../../lib/gitops';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';


describe('GitRepository', () => {
  test('default: branch main, 1m interval, flux-system namespace', () => {
    const c = chart();
    const repo = new GitRepository(c, 'repo', { url: 'https://github.com/acme/fleet' });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(manifests).toEqual([{
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'repo', namespace: 'flux-system' },
      spec: { url: 'https://github.com/acme/fleet', ref: { branch: 'main' }, interval: '1m' },
    }]);
    expect(repo.kind).toBe(SourceKind.GIT_REPOSITORY);
    expect(repo.ref.branch).toBe('main');
  });

  test('keeps every field it sets', () => {
    const c = chart();
    new GitRepository(c, 'repo', {
      name: 'fleet',
      namespace: 'gitops',
      url: 'ssh://git@github.com/acme/fleet',
      ref: GitRef.tag('v1.2.3'),
      interval: Duration.seconds(90),
      timeout: Duration.hours(1),
      secretName: 'fleet-deploy-key',
      ignore: ['/*', '!/clusters/'],
      recurseSubmodules: true,
    });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests[0].metadata).toEqual({ name: 'fleet', namespace: 'gitops' });
    expect(manifests[0].spec).toEqual({
      url: 'ssh://git@github.com/acme/fleet',
      ref: { tag: 'v1.2.3' },
      interval: '1m30s',
      timeout: '60m', // the GitRepository timeout pattern has no hour unit
      secretRef: { name: 'fleet-deploy-key' },
      ignore: '/*\n!/clusters/',
      recurseSubmodules: true,
    });
  });

  test('renders each ref type', () => {
    const c = chart();
    const sha = 'a'.repeat(40);
    const refs = [GitRef.branch('release/1.2'), GitRef.tag('v1'), GitRef.semver('>=1.0.0 <2.0.0'), GitRef.commit(sha)];
    refs.forEach((ref, i) => new GitRepository(c, `r${i}`, { url: 'https://example.com/r.git', ref }));
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests.map((m) => m.spec.ref)).toEqual([{ branch: 'release/1.2' }, { tag: 'v1' }, { semver: '>=1.0.0 <2.0.0' }, { commit: sha }]);
    expect(refs.map((r) => r.type)).toEqual([GitRefType.BRANCH, GitRefType.TAG, GitRefType.SEMVER, GitRefType.COMMIT]);
    expect(refs.map((r) => r.branch)).toEqual(['release/1.2', undefined, undefined, undefined]);
  });

  test('uses the chart namespace when there is one', () => {
    const c = chart('gitops');
    new GitRepository(c, 'repo', { url: 'https://github.com/acme/fleet' });
    expect(Testing.synth(c)[0].metadata.namespace).toBe('gitops');
  });

  test('fromGitRepositoryName refers to the bootstrap repository', () => {
    expect(GitRepository.fromGitRepositoryName('flux-system'))
      .toEqual({ kind: SourceKind.GIT_REPOSITORY, name: 'flux-system', namespace: 'flux-system' });
  });

  test('throws on credentials in the URL, masking them', () => {
    const act = () => new GitRepository(chart(), 'repo', { url: 'https://user:s3cret@github.com/acme/fleet' });
    expect(act).toThrow(/^\[test\/repo\] 'url' must not contain credentials, got "https:\/\/\*\*\*@github\.com\/acme\/fleet"\. Fix: .*secretName/);
    expect(act).not.toThrow(/s3cret/);
    expect(() => new GitRepository(chart(), 'repo', { url: 'https://ghp_token@github.com/acme/fleet' }))
      .toThrow(/\[test\/repo\] 'url' must not contain credentials, got "https:\/\/\*\*\*@github.com\/acme\/fleet"\. Fix: remove them/);
    expect(() => new GitRepository(chart(), 'repo', { url: 'ssh://git:pw@github.com/acme/fleet' }))
      .toThrow(/\[test\/repo\] 'url' must not contain credentials, got "ssh:\/\/\*\*\*@github.com\/acme\/fleet"\. Fix:/);
  });

  test('throws on plain http and scp-style URLs', () => {
    expect(() => new GitRepository(chart(), 'repo', { url: 'http://github.com/acme/fleet' }))
      .toThrow(/\[test\/repo\] 'url' must be a URL starting with ssh:\/\/ or https:\/\/, got "http:\/\/github.com\/acme\/fleet"\. Fix: use https/);
    expect(() => new GitRepository(chart(), 'repo', { url: 'git@github.com:acme/fleet.git' }))
      .toThrow(/\[test\/repo\] 'url' must be a URL .*got "git@github.com:acme\/fleet.git"\. Fix: .* as "ssh:\/\/git@github.com\/acme\/fleet.git"/);
  });

  test('throws on bad refs', () => {
    expect(() => new GitRepository(chart(), 'repo', { url: 'https://github.com/a/b', ref: GitRef.branch('feature..x') }))
      .toThrow(/\[test\/repo\] 'ref.branch' must be a valid Git branch or tag name .*got "feature..x"\. Fix: use a name like "main"/);
    expect(() => new GitRepository(chart(), 'repo', { url: 'https://github.com/a/b', ref: GitRef.commit('abc123') }))
      .toThrow(/\[test\/repo\] 'ref.commit' must be a full commit SHA .*got "abc123"\. Fix: pass the output of `git rev-parse/);
    expect(() => new GitRepository(chart(), 'repo', { url: 'https://github.com/a/b', ref: GitRef.semver('latest') }))
      .toThrow(/\[test\/repo\] 'ref.semver' must be a semver range, got "latest"\. Fix:/);
  });

  test('throws on bad durations, names and ignore lines', () => {
    expect(() => new GitRepository(chart(), 'repo', { url: 'https://github.com/a/b', interval: Duration.millis(1500) }))
      .toThrow(/\[test\/repo\] 'interval' must be a whole number of seconds, got "1500ms"\. Fix: use Duration.seconds\(\)/);
    expect(() => new GitRepository(chart(), 'repo', { url: 'https://github.com/a/b', interval: Duration.seconds(0) }))
      .toThrow(/\[test\/repo\] 'interval' must be at least 1s, got "0s"\. Fix: pass a positive duration/);
    expect(() => new GitRepository(chart(), 'Repo', { url: 'https://github.com/a/b' }))
      .toThrow(/\[test\/Repo\] 'name' must be a DNS-1123 subdomain .*got "Repo"\. Fix: use a name like "repo"/);
    expect(() => new GitRepository(chart(), 'repo', { url: 'https://github.com/a/b', secretName: 'Deploy_Key' }))
      .toThrow(/\[test\/repo\] 'secretName' must be a DNS-1123 subdomain .*got "Deploy_Key"\. Fix:/);
    expect(() => new GitRepository(chart(), 'repo', { url: 'https://github.com/a/b', ignore: ['a\nb'] }))
      .toThrow(/\[test\/repo\] 'ignore\[0\]' must be a single line, got "a\\nb"\. Fix:/);
  });
});
