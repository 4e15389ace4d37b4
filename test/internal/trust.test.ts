import { describe, expect, it } from "vitest";
import {
  awsConditionKeyPrefix,
  azureRoleAssignmentName,
  celString,
  gcpAttributeCondition,
  gcpAttributeConditionLength,
  gcpAttributeMapping,
  gcpSubjectPrincipal,
  oktaIssuerUrl,
} from "../../components/internal/trust";
import { fitName, gcpServiceAccountId } from "../../components/internal/names";

describe("trust helpers", () => {
  it.each([
    ["https://acme.okta.com/oauth2/aus1", "acme.okta.com/oauth2/aus1"],
    ["https://id.acme.example/oauth2/default", "id.acme.example/oauth2/default"],
  ])("AWS condition keys use the provider URL without https:// (%s)", (issuer, prefix) => {
    expect(awsConditionKeyPrefix(issuer)).toBe(prefix);
  });

  it("GCP condition admits exactly the given client ids and quotes them as CEL strings", () => {
    expect(gcpAttributeCondition(["0oa1", "0oa2"])).toBe("assertion.sub in ['0oa1', '0oa2']");
    expect(celString("it's")).toBe("'it\\'s'");
    expect(() => gcpAttributeCondition([])).toThrow("a GCP attribute condition needs at least one client id");
    expect(gcpAttributeConditionLength(2, 20)).toBe(gcpAttributeCondition(["x".repeat(20), "y".repeat(20)]).length);
  });

  it("GCP mapping sets google.subject from sub and maps extra claims in sorted order", () => {
    expect(Object.entries(gcpAttributeMapping(["zone", "tenant_id"]))).toEqual([
      ["google.subject", "assertion.sub"],
      ["attribute.client_id", "assertion.cid"],
      ["attribute.tenant_id", "assertion.tenant_id"],
      ["attribute.zone", "assertion.zone"],
    ]);
  });

  it("GCP principal names one subject in one pool", () => {
    expect(gcpSubjectPrincipal("projects/1/locations/global/workloadIdentityPools/p", "0oa1")).toBe(
      "principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/0oa1",
    );
  });

  it("Azure role assignment names are stable UUIDv5s that change with any of scope, identity or role", () => {
    const a = azureRoleAssignmentName("/subscriptions/s/rg", "/id/x", "/role/r");
    expect(a).toBe(azureRoleAssignmentName("/SUBSCRIPTIONS/s/rg", "/id/x", "/role/r"));
    expect(new Set([a, azureRoleAssignmentName("/subscriptions/s/rg2", "/id/x", "/role/r"), azureRoleAssignmentName("/subscriptions/s/rg", "/id/y", "/role/r"), azureRoleAssignmentName("/subscriptions/s/rg", "/id/x", "/role/q")]).size).toBe(4);
  });

  it("Okta issuer follows the issuer mode", () => {
    expect(oktaIssuerUrl({ issuerMode: "ORG_URL", orgName: "acme", baseUrl: "okta.com", serverId: "aus1" })).toBe("https://acme.okta.com/oauth2/aus1");
    expect(oktaIssuerUrl({ issuerMode: "CUSTOM_URL", orgName: "acme", baseUrl: "okta.com", customDomain: "id.acme.example", serverId: "aus1" })).toBe("https://id.acme.example/oauth2/aus1");
  });

  it("derived GCP service account ids fit 6-30 characters and stay unique when shortened", () => {
    expect(gcpServiceAccountId("dev", "payments")).toBe("dev-payments");
    expect(gcpServiceAccountId("qa", "ab")).toBe("qa-ab-wif");
    const long = gcpServiceAccountId("prod", "a-very-long-service-name-here");
    expect(long.length).toBe(30);
    expect(long).toMatch(/^prod-a-very-long-servic-[0-9a-f]{6}$/);
    expect(long).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    expect(fitName("abcdef", 6)).toBe("abcdef");
  });
});
