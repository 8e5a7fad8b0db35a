/**
 * Synthesizes the reference platform (platform/) into dist/ (committed, deployed by Flux).
 *
 *   npm run synth     # atomic: a failing synth leaves dist/ as it was
 *   npx cdk8s synth   # the same app through the cdk8s CLI (cdk8s.yaml)
 *
 * Two clusters (staging, production) laid out for Flux: dist/clusters/<name> is the `flux bootstrap --path`
 * (see README, "dist/ layout for Flux").
 */
import { App } from 'cdk8s';
import { runSynthesis } from './lib';
import { buildReferencePlatform } from './platform';

// Only when run: importing this file must not write dist/.
if (require.main === module) {
  const app = new App();
  buildReferencePlatform(app);
  process.exitCode = runSynthesis(app);
}
