import { IConstruct } from 'constructs';
import { meshScopeOf } from './mesh-scope';

/*
 * What the platform install of a mesh (MeshPlatform) tells the constructs of the same mesh: whether injection relies
 * on istio-cni, and the namespaces of the pods that call into or scrape application namespaces. Registered by the
 * platform for its mesh (the nearest mesh boundary, else the App) and read lazily (at validation or render time),
 * so the order in which the platform and the namespaces are defined does not matter.
 *
 * Leaf module: it imports nothing outside lib/private.
 */

/** The facts a MeshPlatform registers. */
export interface PlatformFacts {
  /** The construct path of the platform (for messages). */
  readonly path: string;
  /** Whether istio-cni is installed and injection uses it (no istio-init container with NET_ADMIN/NET_RAW). */
  readonly cniEnabled: boolean;
  /** istiod's namespace (the mesh root namespace). */
  readonly istioNamespace: string;
  /** Namespace of the ingress gateway pods. */
  readonly ingressGatewayNamespace: string;
  /** Namespace of kube-prometheus-stack's Prometheus (scrapes the proxies' 15020/15090). */
  readonly monitoringNamespace: string;
  /** Namespace of Flagger's load tester (calls the canary Services during analysis). */
  readonly loadTesterNamespace: string;
}

const PLATFORMS = new WeakMap<IConstruct, PlatformFacts[]>();

/** Registers the facts of a platform with its mesh (called by MeshPlatform in its constructor). */
export function registerPlatformFacts(scope: IConstruct, facts: PlatformFacts): void {
  const root = meshScopeOf(scope);
  const list = PLATFORMS.get(root) ?? [];
  PLATFORMS.set(root, list);
  list.push(facts);
}

/** The platform of the mesh `scope` belongs to, if one is defined (the first one, when several are). */
export function platformFactsOf(scope: IConstruct): PlatformFacts | undefined {
  return PLATFORMS.get(meshScopeOf(scope))?.[0];
}
