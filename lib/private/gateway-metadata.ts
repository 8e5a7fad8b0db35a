/**
 * Construct metadata (never emitted) that the gateway TLS constructs put on the Gateway ApiObject, for the
 * whole-output rule that checks credentialName (lib/private/rules/tls.ts).
 */

/** Namespace where the gateway pods run (Istio reads credentialName Secrets there). */
export const GATEWAY_WORKLOAD_NAMESPACE = 'mesh:gateway-workload-namespace';

/** A credentialName declared as managed outside this app (GatewayCredential.fromExternalSecret). */
export const EXTERNAL_CREDENTIAL = 'mesh:external-credential';
