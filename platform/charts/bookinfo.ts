import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { IGateway, MeshApp, StringMatch } from '../../lib';
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
   * Replicas of every version of every Bookinfo service.
   * @default 2
   */
  readonly replicas?: number;
}

/**
 * dist/bookinfo: S14 in namespace `bookinfo` (the chart's namespace). productpage, details, reviews v1/v2/v3 and
 * ratings, one ServiceAccount each; all reviews traffic goes to v1 except user jason (header `end-user: jason`),
 * who gets v2. productpage is exposed on the S1 ingress gateway.
 */
export class BookinfoChart extends Chart {
  public readonly productpage: MeshApp;
  public readonly details: MeshApp;
  public readonly ratings: MeshApp;
  public readonly reviews: MeshApp;

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
      ports, replicas, versions: [{ name: 'v1', image: bookinfoImage('ratings') }], ...sampleWorkload(this, 'ratings'),
    });
    this.reviews = new MeshApp(this, 'reviews', {
      ports,
      replicas,
      versions: ['v1', 'v2', 'v3'].map((v) => ({ name: v, image: bookinfoImage('reviews', v) })),
      ...sampleWorkload(this, 'reviews'),
      routes: [
        { name: 'jason', match: [{ headers: { 'end-user': StringMatch.exact('jason') } }], destinations: [{ version: 'v2' }] },
        { name: 'default', destinations: [{ version: 'v1' }] },
      ],
    });

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
