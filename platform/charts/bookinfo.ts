import { Construct } from 'constructs';
import { Chart, ChartProps, Duration } from 'cdk8s';
import { EastWestGatewayInfo, ExternalVmWorkload, IGateway, MeshApp, StringMatch, TrafficSplit, VmReadinessProbe } from '../../lib';
import { bookinfoImage, sampleWorkload } from '../shared/sample-workload';

/** Props of `BookinfoChart`. */
export interface BookinfoChartProps extends ChartProps {
  /** Ingress gateway that exposes productpage (the sample-app chart's `gateway`). */
  readonly gateway: IGateway;
  /**
   * Hosts under which productpage is bound to the gateway.
   * @default - every host of the gateway
   */
  readonly hosts?: string[];
  /**
   * S14 "then shift by weights": how reviews traffic other than jason's is split across the versions. S14 starts
   * with `TrafficSplit.allTo('v1')`; the default is the shifted state of Istio's traffic-shifting task (and S6's static
   * 50/50 split between two subsets).
   * @default TrafficSplit.weighted({ v1: 50, v3: 50 })
   */
  readonly reviewsSplit?: TrafficSplit;
  /**
   * Replicas of every version of every Bookinfo service.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * S9: serve ratings from a VM that joins the mesh through this east-west gateway (MeshPlatform.enableVmWorkloads());
   * the Kubernetes ratings-v1 is scaled to zero and every ratings request goes to the VM.
   * @default - ratings runs in Kubernetes only
   */
  readonly ratingsVm?: EastWestGatewayInfo;
}

/**
 * dist/bookinfo: S14 in namespace `bookinfo` (the chart's namespace). productpage, details, reviews v1/v2/v3 and
 * ratings, one ServiceAccount each; user jason (header `end-user: jason`) gets reviews v2, every other request is
 * split 50/50 between v1 and v3 (S14's shift by weights, S6's static 50/50 split; `reviewsSplit`). productpage is
 * exposed on the S1 ingress gateway.
 */
export class BookinfoChart extends Chart {
  public readonly productpage: MeshApp;
  public readonly details: MeshApp;
  public readonly ratings: MeshApp;
  public readonly reviews: MeshApp;
  /** S9: the ratings VM, when `ratingsVm` is set. */
  public readonly ratingsVm?: ExternalVmWorkload;

  constructor(scope: Construct, id: string, props: BookinfoChartProps) {
    super(scope, id, { ...props, namespace: props.namespace ?? 'bookinfo' });
    const ports = [{ name: 'http', port: 9080 }];
    const replicas = props.replicas ?? 2;

    this.productpage = new MeshApp(this, 'productpage', {
      ports, replicas, versions: [{ name: 'v1', image: bookinfoImage('productpage') }], ...sampleWorkload(this, 'productpage'),
    });
    this.details = new MeshApp(this, 'details', {
      ports, replicas, versions: [{ name: 'v1', image: bookinfoImage('details') }], ...sampleWorkload(this, 'details'),
    });
    this.ratings = new MeshApp(this, 'ratings', {
      ports,
      replicas,
      // S9: with the VM, ratings-v1 stays defined (to scale back) but runs no pod.
      versions: [{ name: 'v1', image: bookinfoImage('ratings'), replicas: props.ratingsVm ? 0 : undefined }],
      ...sampleWorkload(this, 'ratings'),
    });
    this.reviews = new MeshApp(this, 'reviews', {
      ports,
      replicas,
      versions: ['v1', 'v2', 'v3'].map((v) => ({ name: v, image: bookinfoImage('reviews', v) })),
      ...sampleWorkload(this, 'reviews'),
      routes: [{ name: 'jason', match: [{ headers: { 'end-user': StringMatch.exact('jason') } }], destinations: [{ version: 'v2' }] }],
    });
    // S14/S6: everyone else, by weight over the subsets.
    this.reviews.splitTraffic(props.reviewsSplit ?? TrafficSplit.weighted({ v1: 50, v3: 50 }));

    if (props.ratingsVm) {
      // S9: WorkloadGroup ratings (app=ratings, ServiceAccount bookinfo-ratings) so the VM auto-registers; the ratings
      // Service selects it, and all ratings traffic goes to the VM subset.
      this.ratingsVm = this.ratings.addExternalVersion(new ExternalVmWorkload(this, 'ratings-vm', {
        name: 'ratings',
        versionOf: this.ratings,
        version: 'vm',
        serviceAccountName: 'bookinfo-ratings',
        eastWestGateway: props.ratingsVm,
        ports: [{ name: 'http', port: 9080 }],
        probe: VmReadinessProbe.httpGet(9080, { path: '/ratings/0', period: Duration.seconds(5), initialDelay: Duration.seconds(1) }),
      })) as ExternalVmWorkload;
      this.ratings.splitTraffic(TrafficSplit.allTo('vm'));
      this.ratings.allowFrom(this.reviews);
    }

    this.productpage.exposeVia(props.gateway, {
      hosts: props.hosts,
      routes: [{
        name: 'productpage',
        match: [
          { uri: StringMatch.exact('/productpage') },
          { uri: StringMatch.prefix('/static') },
          { uri: StringMatch.exact('/login') },
          { uri: StringMatch.exact('/logout') },
          { uri: StringMatch.prefix('/api/v1/products') },
        ],
      }],
    });
  }
}
