import { Duration, Testing } from 'cdk8s';
import { GitRef, GitRepository, ImageUpdateAutomation, SourceKind } from '../../lib/gitops';
import { expectValidManifests } from '../util/schema';
import { chart } from '../util/synth';


const author = { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' };

describe('ImageUpdateAutomation', () => {
  test('default: Setters over the whole repository, the GitRepository branch, 30m interval', () => {
    const c = chart();
    const repo = new GitRepository(c, 'flux-system', { url: 'ssh://git@github.com/acme/fleet', secretName: 'flux-system' });
    new ImageUpdateAutomation(c, 'images', { sourceRef: repo, author });
    const manifests = Testing.synth(c);
    expect(manifests).toMatchSnapshot();
    expectValidManifests(manifests);
    expect(manifests[1]).toEqual({
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageUpdateAutomation',
      metadata: { name: 'images', namespace: 'flux-system' },
      spec: {
        interval: '30m',
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        git: { commit: { author: { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' } } },
        update: { path: './', strategy: 'Setters' },
      },
    });
  });

  test('keeps every field it sets', () => {
    const c = chart();
    const repo = GitRepository.fromGitRepositoryName('fleet', 'gitops');
    new ImageUpdateAutomation(c, 'u', {
      name: 'staging-images',
      namespace: 'apps',
      sourceRef: repo,
      author,
      messageTemplate: 'Update images\n{{ range .Changed.FileChanges }}{{ . }}\n{{ end }}',
      checkoutBranch: 'main',
      pushBranch: 'image-updates',
      path: './clusters/staging',
      policySelector: { 'app.kubernetes.io/part-of': 'podinfo' },
      interval: Duration.minutes(5),
    });
    const manifests = Testing.synth(c);
    expectValidManifests(manifests);
    expect(manifests[0].metadata).toEqual({ name: 'staging-images', namespace: 'apps' });
    expect(manifests[0].spec).toEqual({
      interval: '5m',
      sourceRef: { kind: 'GitRepository', name: 'fleet', namespace: 'gitops' },
      git: {
        checkout: { ref: { branch: 'main' } },
        commit: {
          author: { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' },
          messageTemplate: 'Update images\n{{ range .Changed.FileChanges }}{{ . }}\n{{ end }}',
        },
        push: { branch: 'image-updates' },
      },
      update: { path: './clusters/staging', strategy: 'Setters' },
      policySelector: { matchLabels: { 'app.kubernetes.io/part-of': 'podinfo' } },
    });
  });

  test('throws when the repository follows a tag and no branch is given', () => {
    const c = chart();
    const repo = new GitRepository(c, 'repo', { url: 'https://github.com/acme/fleet', ref: GitRef.tag('v1.0.0') });
    expect(() => new ImageUpdateAutomation(c, 'u', { sourceRef: repo, author }))
      .toThrow(/^\[test\/u\] 'checkoutBranch' must be set when the GitRepository follows a tag, .*got "v1\.0\.0"\. Fix: pass checkoutBranch/);
    new ImageUpdateAutomation(c, 'ok', { sourceRef: repo, author, checkoutBranch: 'main' });
    expectValidManifests(Testing.synth(c));
  });

  test('throws on a bad author e-mail or name', () => {
    const repo = GitRepository.fromGitRepositoryName('flux-system');
    expect(() => new ImageUpdateAutomation(chart(), 'u', { sourceRef: repo, author: { name: 'bot', email: 'fluxcdbot' } }))
      .toThrow(/^\[test\/u\] 'author\.email' must be an e-mail address, got "fluxcdbot"\. Fix: pass an address like/);
    expect(() => new ImageUpdateAutomation(chart(), 'u', { sourceRef: repo, author: { name: ' ', email: 'a@b.io' } }))
      .toThrow(/^\[test\/u\] 'author\.name' must be a non-empty name .*got " "\. Fix:/);
  });

  test('throws on the removed .Updated template field, a bad path and a bad branch', () => {
    const repo = GitRepository.fromGitRepositoryName('flux-system');
    expect(() => new ImageUpdateAutomation(chart(), 'u', { sourceRef: repo, author, messageTemplate: '{{ range .Updated.Images }}{{ . }}{{ end }}' }))
      .toThrow(/^\[test\/u\] 'messageTemplate' uses \.Updated, .*got "\{\{ range \.Updated\.Images \}\}.*Fix: use \.Changed\.FileChanges/);
    expect(() => new ImageUpdateAutomation(chart(), 'u', { sourceRef: repo, author, path: 'clusters/staging' }))
      .toThrow(/^\[test\/u\] 'path' must start with "\.\/", got "clusters\/staging"\. Fix:/);
    expect(() => new ImageUpdateAutomation(chart(), 'u', { sourceRef: repo, author, pushBranch: 'a b' }))
      .toThrow(/^\[test\/u\] 'pushBranch' must be a valid Git branch or tag name .*got "a b"\. Fix:/);
  });

  test('throws on a non-Git source and bad policy selector labels', () => {
    const notGit = { kind: SourceKind.BUCKET, name: 'b', namespace: 'flux-system' };
    expect(() => new ImageUpdateAutomation(chart(), 'u', { sourceRef: notGit, author }))
      .toThrow(/^\[test\/u\] 'sourceRef\.kind' must be one of GitRepository, got "Bucket"\. Fix:/);
    const repo = GitRepository.fromGitRepositoryName('flux-system');
    expect(() => new ImageUpdateAutomation(chart(), 'u', { sourceRef: repo, author, policySelector: { 'a b': 'x' } }))
      .toThrow(/^\[test\/u\] 'policySelector' keys must be label keys .*got "a b"\. Fix:/);
    expect(() => new ImageUpdateAutomation(chart(), 'u', { sourceRef: repo, author, policySelector: { app: 'not valid' } }))
      .toThrow(/^\[test\/u\] 'policySelector\.app' must be a label value .*got "not valid"\. Fix:/);
  });
});
