/** The Istio sample JWT issuer (S3). Its tokens are in istio/istio security/tools/jwt/samples. */
export const SAMPLE_JWT_ISSUER = 'testing@secure.istio.io';
/** The key set of SAMPLE_JWT_ISSUER (S3). */
export const SAMPLE_JWKS_URI = 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json';
