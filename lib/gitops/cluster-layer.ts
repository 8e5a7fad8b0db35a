import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Kustomization } from './kustomization';
import { OutputLayout } from '../synth/output-layout';

/**
 * One layer of a cluster: a folder of the output (one sub-folder per chart created inside it) applied by one
 * Flux Kustomization, after the layers before it are Ready.
 */
export class ClusterLayer extends Construct {
  /** The layer's folder, relative to the output directory. */
  public readonly folder: string;
  /** The Flux Kustomization that applies the folder. */
  public readonly kustomization: Kustomization;

  /** @internal */
  constructor(scope: Construct, id: string, props: { folder: string; cluster: string; kustomization: Kustomization }) {
    super(scope, id);
    this.folder = props.folder;
    this.kustomization = props.kustomization;
    OutputLayout.registerGroup(this, this.folder, props.cluster);
  }

  /** The charts created inside this layer. */
  public get charts(): Chart[] {
    return this.node.findAll().filter((c): c is Chart => Chart.isChart(c));
  }
}
