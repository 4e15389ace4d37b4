/**
 * The canonical forms the kit compares in: RE2 patterns as GCP's CEL evaluates them, JWKS URLs as
 * Okta fetches them, Okta org hosts, and Azure scopes as ARM addresses them. Each spelling that
 * used to slip past a comparison is listed with the form it now has.
 */
import { describe, expect, it } from "vitest";
import { canonicalHost, canonicalUrl, oktaOrgHost } from "../../components/internal/canonical";
import { azureScopeKey, canonicalAzureScope } from "../../components/internal/azureScope";
import { azureScopeContains } from "../../components/internal/identityAdmin";
import { jwksUriFingerprint } from "../../components/internal/clientKeys";
import { RE2_RULE, re2Matches, re2Problem } from "../../components/internal/re2";
import { oktaIssuerUrl } from "../../components/internal/trust";
import { azureScopeInWords } from "../../components/internal/guardrails";

describe("RE2, as GCP evaluates matches()", () => {
  it.each([
    ["a look-ahead", "^(?=a)a$", "invalid or unsupported Perl syntax: `(?=`"],
    ["a negative look-ahead", "^(?!b)a$", "invalid or unsupported Perl syntax: `(?!`"],
    ["a look-behind", "(?<=a)b", "invalid named capture: `(?<=a)b`"],
    ["a backreference", "(a)\\1", "invalid escape sequence: `\\1`"],
    ["a possessive quantifier", "a++", "invalid nested repetition operator: `++`"],
    ["\\Z", "a\\Z", "invalid escape sequence: `\\Z`"],
  ])("refuses %s, in RE2's words", (_label, pattern, problem) => {
    expect(re2Problem(pattern)).toBe(problem);
    expect(() => re2Matches("a", pattern)).toThrow(`invalid RE2 pattern ${JSON.stringify(pattern)}: ${problem}`);
  });

  it.each([
    ["(?i)acme", "ACME", true],
    ["(?i)^acme$", "Acme", true],
    ["acme", "ACME", false],
    ["\\Qa.b\\E", "a.b", true],
    ["\\Qa.b\\E", "axb", false],
    ["[[:digit:]]+", "x42", true],
    ["\\pL+", "é", true],
    ["cme", "acme", true],
    ["^cme", "acme", false],
  ])("accepts %s; on %s it matches: %s (a substring, unless anchored)", (pattern, text, matches) => {
    expect(re2Problem(pattern)).toBeUndefined();
    expect(re2Matches(text, pattern)).toBe(matches);
  });

  it("says what is allowed", () => {
    expect(RE2_RULE).toBe("RE2 syntax; no look-around or backreferences");
  });
});

describe("JWKS URLs, as Okta fetches them", () => {
  const CANONICAL = "https://keys.example.com/jwks";

  it.each([
    ["as written", "https://keys.example.com/jwks"],
    ["an empty query", "https://keys.example.com/jwks?"],
    ["a percent-escaped unreserved character", "https://keys.example.com/%6Awks"],
    ["a lower-case escape", "https://keys.example.com/%6awks"],
    ["an upper-case host", "https://KEYS.Example.COM/jwks"],
    ["an upper-case scheme", "HTTPS://keys.example.com/jwks"],
    ["the default port", "https://keys.example.com:443/jwks"],
    ["a /./ segment", "https://keys.example.com/./jwks"],
    ["a /../ segment", "https://keys.example.com/keys/../jwks"],
    ["an escaped /../ segment", "https://keys.example.com/keys/%2E%2E/jwks"],
    ["an escaped host character", "https://keys.%65xample.com/jwks"],
    ["a trailing #", "https://keys.example.com/jwks#"],
    ["a fragment", "https://keys.example.com/jwks#keys"],
  ])("%s: %s", (_label, uri) => {
    expect(canonicalUrl(uri)).toBe(CANONICAL);
    expect(jwksUriFingerprint(uri)).toBe(`URI:${CANONICAL}`);
  });

  it.each([
    ["a trailing slash", "https://keys.example.com/jwks/"],
    ["another port", "https://keys.example.com:8443/jwks"],
    ["a query", "https://keys.example.com/jwks?tenant=a"],
    ["a letter case in the path", "https://keys.example.com/JWKS"],
    ["a reserved character escaped", "https://keys.example.com/jw%2Fks"],
  ])("stays another URL: %s", (_label, uri) => {
    expect(canonicalUrl(uri)).not.toBe(CANONICAL);
  });

  it("upper-cases the hex of escapes it keeps, and leaves text that is no URL alone", () => {
    expect(canonicalUrl("https://keys.example.com/jw%2fks?a=%2f")).toBe("https://keys.example.com/jw%2Fks?a=%2F");
    expect(canonicalUrl("not a url")).toBe("not a url");
  });
});

describe("Okta org hosts", () => {
  it("compares org names and base URLs in lower case", () => {
    expect(oktaOrgHost("ACME", "okta.com")).toBe("acme.okta.com");
    expect(oktaOrgHost("Acme-Dev", "OktaPreview.com")).toBe("acme-dev.oktapreview.com");
    expect(oktaOrgHost("acme")).toBe("acme.okta.com");
    expect(canonicalHost("ID.Acme.Example.")).toBe("id.acme.example");
  });

  it("predicts the issuer with the org's host in lower case, as Okta writes it and the clouds compare it", () => {
    expect(oktaIssuerUrl({ issuerMode: "ORG_URL", orgName: "ACME", baseUrl: "okta.com", serverId: "aus1ABC" })).toBe("https://acme.okta.com/oauth2/aus1ABC");
  });
});

describe("Azure scopes, as ARM addresses them", () => {
  const S = "/subscriptions/00000000-0000-0000-0000-000000000001";
  const IDENTITY = `${S}/resourceGroups/identities-dev/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-dev-payments`;

  it.each([
    ["an empty segment", `${S}//resourceGroups/identities-dev`],
    ["a leading //", `/${S}/resourceGroups/identities-dev`],
    ["a /./ segment", `${S}/./resourceGroups/identities-dev`],
    ["a /../ segment", `${S}/resourceGroups/other/../identities-dev`],
    ["a percent-escape", `${S}/resourceGroups/identities%2Ddev`],
    ["an escaped slash", `${S}/resourceGroups%2Fidentities-dev`],
    ["a trailing slash", `${S}/resourceGroups/identities-dev/`],
    ["letter case", `${S.toUpperCase()}/RESOURCEGROUPS/IDENTITIES-DEV`],
  ])("%s does not hide the identity from the resource group that holds it", (_label, scope) => {
    expect(azureScopeContains(scope, IDENTITY)).toBe(true);
    expect(azureScopeKey(scope)).toBe(`${S}/resourcegroups/identities-dev`);
  });

  it("keeps letter case in the canonical form, and only a scope's own subtree is inside it", () => {
    expect(canonicalAzureScope(`${S}//resourceGroups/Identities-Dev/`)).toBe(`${S}/resourceGroups/Identities-Dev`);
    expect(canonicalAzureScope("//")).toBe("/");
    expect(azureScopeContains(`${S}/resourceGroups/identities`, IDENTITY)).toBe(false);
    expect(azureScopeContains(`${S}/resourceGroups/identities-dev%2Dother`, IDENTITY)).toBe(false);
    expect(azureScopeContains(S, IDENTITY)).toBe(true);
    expect(azureScopeContains("/", IDENTITY)).toBe(true);
    expect(azureScopeContains(IDENTITY, `${S}/resourceGroups/identities-dev`)).toBe(false);
  });

  it("names a non-canonical scope by what it is", () => {
    expect(azureScopeInWords(`${S}//resourceGroups/identities-dev/`)).toBe("resource group identities-dev");
  });
});
