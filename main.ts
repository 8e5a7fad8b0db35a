/**
 * Synthesizes the reference platform (platform/) into dist/ (committed, deployed by Flux).
 *
 *   npm run synth     # atomic: a failing synth leaves dist/ as it was
 *   npx cdk8s synth   # the same app through the cdk8s CLI (cdk8s.yaml)
 *
 * Each chart becomes one folder of dist/ with a kustomization.yaml (see README, "dist/ layout").
 */
import { App } from 'cdk8s';
import { runSynthesis } from './lib';
import { buildReferencePlatform } from './platform';

// Transitional, remove with the platform block of test/delivery/canary-release.test.ts (now test/platform/canary.test.ts).
export { CanaryChart } from './platform/charts/canary';

// Only when run: importing this file must not write dist/.
if (require.main === module) {
  const app = new App();
  buildReferencePlatform(app);
  process.exitCode = runSynthesis(app);
}
