/**
 * Analysis helpers shared by the suites.
 */
import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { analyze, AnalyzeOptions, Finding } from '../../lib';

/** The findings of one analysis rule over the whole app of `scope` (an App, or any construct in it). */
export function findings(scope: IConstruct, ruleId: string, options: AnalyzeOptions = {}): Finding[] {
  return analyze(scope.node.root as App, options).findings.filter((f) => f.rule === ruleId);
}
