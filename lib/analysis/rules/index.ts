import type { IAnalysisRule } from '../context';
import { FLAGGER_ANALYSIS, FLAGGER_METRICS, FLAGGER_RESERVED_NAMES, FLAGGER_TARGET } from './canary';
import { DUPLICATE_OBJECT, SECRET_DATA } from './core';
import { PEER_AUTHENTICATION_CONFLICT, SIDECARLESS_MTLS } from './security';
import { CERTIFICATE_SECRET_UNIQUE, DESTINATION_RULE_CA_CERTIFICATES, GATEWAY_CREDENTIAL } from './tls';

/**
 * The built-in whole-output rules, in the order they run. Add a rule by writing it in a file of
 * this folder and listing it here.
 */
export const BUILTIN_RULES: readonly IAnalysisRule[] = [
  DUPLICATE_OBJECT,
  SECRET_DATA,
  GATEWAY_CREDENTIAL,
  DESTINATION_RULE_CA_CERTIFICATES,
  CERTIFICATE_SECRET_UNIQUE,
  PEER_AUTHENTICATION_CONFLICT,
  SIDECARLESS_MTLS,
  FLAGGER_RESERVED_NAMES,
  FLAGGER_TARGET,
  FLAGGER_METRICS,
  FLAGGER_ANALYSIS,
];
