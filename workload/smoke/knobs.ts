/**
 * The config knob behind each cloud's refusal of a real exchange, as the guides' error tables name
 * them (docs/guide-aws.md, guide-gcp.md, guide-azure.md).
 */
export function knobFor(cloud: "aws" | "gcp" | "azure", code: string, message: string, service: string): string {
  const issuer = "okta.authorizationServer.issuerMode and customDomain (the token's iss must equal the issuer every trust pins)";
  const audience = "okta.authorizationServer.audience";
  if (cloud === "aws") {
    if (code === "InvalidIdentityToken" && /No OpenIDConnect provider/.test(message)) return `${issuer}; aws.existingOidcProviderArn; the role's account (aws.accountId)`;
    if (code === "InvalidIdentityToken" && /audience/i.test(message)) return `${audience} (and an adopted provider's client ids: aws.existingOidcProviderArn)`;
    if (code === "InvalidIdentityToken" && /verification key/.test(message)) return "the issuer's keys must be public over https (okta.jwksUri output); aws.thumbprints";
    if (code === "AccessDenied") return `services.${service}.aws (the role trusts this service's client id only: use this service's role ARN and key)`;
    if (code === "ExpiredTokenException") return "okta.tokenLifetimeMinutes / a fresh token file";
    if (code === "ValidationError") return `aws.maxSessionDurationSeconds / services.${service}.aws.maxSessionDurationSeconds`;
  }
  if (cloud === "gcp") {
    if (code === "invalid_target" || code === "invalid_request") return "gcp.project, gcp.poolId, gcp.providerId (the credential config's audience must name an enabled provider)";
    if (code === "invalid_grant" && /audience/i.test(message)) return audience;
    if (code === "invalid_grant" && /issuer/i.test(message)) return issuer;
    if (code === "invalid_grant") return "okta.tokenLifetimeMinutes / a fresh token file";
    if (code === "unauthorized_client") return `services.${service}.gcp and gcp.additionalCondition (the provider's condition admits the listed client ids only)`;
    if (code === "PERMISSION_DENIED") return `services.${service}.gcp.serviceAccount (the impersonation grant names this service's principal)`;
  }
  if (cloud === "azure") {
    if (code === "AADSTS700211") return issuer;
    if (code === "AADSTS700212") return audience;
    if (code === "AADSTS700213" || code === "AADSTS70021") return `services.${service}.azure (the federated credential's subject is this service's client id)`;
    if (code === "AADSTS700016") return "azure.tenantId, and the identity's client id (services.<key>.azure.clientId output)";
    if (code === "AADSTS700024") return "okta.tokenLifetimeMinutes / a fresh token file";
    if (code === "AADSTS7000272" || code === "AADSTS90061") return "the issuer's keys must be public over https (okta.jwksUri output)";
  }
  return `services.${service}.${cloud}`;
}
