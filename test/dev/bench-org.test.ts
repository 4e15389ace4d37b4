/**
 * The generated organisation of `npm run bench -- --org` (dev/bench/orgConfig.ts): its platform
 * config and each team config must be ones the kit accepts (parsePlatformConfig, parseTeamConfig
 * against the contract that platform exports), with distinct Okta bands and keys unique across the
 * organisation, and the stack files must say the same as the configs. Small sizes, no timing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CONFIG_NAMESPACE } from "../../components/config";
import { parsePlatformConfig, platformPoolId, teamProviderIds, type PlatformConfig } from "../../components/config/platform";
import { parseTeamConfig } from "../../components/config/team";
import { PLATFORM_CONTRACT, PLATFORM_CONTRACT_VERSION, type PlatformOutputsV1 } from "../../components/platformContract";
import { loadStackFile } from "../../tools/offline/stackFile";
import { readVerifyReport } from "../../dev/bench/org";
import { ORG_PLATFORM_NAME, ORG_PLATFORM_STACK, orgLayout, orgServiceKey, orgTeamSizes, writeOrgStackFiles, type OrgTeam } from "../../dev/bench/orgConfig";

/** The contract the platform stack would export for this config, with the values known only after its deploy as placeholders. */
function contractFor(config: PlatformConfig): PlatformOutputsV1 {
  const issuerUrl = `https://${config.okta.orgName}.${config.okta.baseUrl}/oauth2/platformserver`;
  return {
    contract: PLATFORM_CONTRACT,
    contractVersion: PLATFORM_CONTRACT_VERSION,
    environment: config.environment,
    protect: config.protect,
    okta: {
      orgName: config.okta.orgName,
      baseUrl: config.okta.baseUrl,
      authorizationServerId: "platformserver",
      issuerUrl,
      audience: "api://services-bench",
      issuerMode: "ORG_URL",
      tokenEndpoint: `${issuerUrl}/v1/token`,
      jwksUri: `${issuerUrl}/v1/keys`,
      scopes: Object.keys(config.okta.scopes).sort(),
      claims: config.okta.claims,
      tokenLifetimeMinutes: config.okta.tokenLifetimeMinutes,
    },
    aws: {
      accounts: Object.fromEntries(
        Object.entries(config.aws!.accounts).map(([k, a]) => [k, { accountId: a.accountId, region: a.region, oidcProviderArn: `arn:aws:iam::${a.accountId}:oidc-provider/${config.okta.orgName}.${config.okta.baseUrl}/oauth2/platformserver` }]),
      ),
      rolePath: config.aws!.rolePath,
      sessionTags: config.aws!.sessionTags,
      maxSessionDurationSeconds: config.aws!.maxSessionDurationSeconds,
    },
    gcp: { project: config.gcp!.project, poolId: platformPoolId(config), poolName: `projects/123456789/locations/global/workloadIdentityPools/${platformPoolId(config)}`, mappedClaims: config.gcp!.mappedClaims },
    azure: { ...config.azure! },
    teams: Object.fromEntries(
      Object.entries(config.teams).map(([key, team]) => [
        key,
        {
          oktaPriorityBand: team.oktaPriorityBand,
          ...(team.aws ? { aws: team.aws } : {}),
          ...(team.gcp ? { gcp: { providerId: team.gcp.providerId ?? key, providerShards: team.gcp.providerShards } } : {}),
          ...(team.azure ? { azure: team.azure } : {}),
        },
      ]),
    ),
  };
}

const keysOf = (team: OrgTeam) => Object.keys(team.config.services);
const jwksOf = (team: OrgTeam) => Object.values(team.config.services).map((s) => (s as { auth: { jwks: Array<{ kid: string; n: string }> } }).auth.jwks[0]!);

describe("bench --org: the generated organisation", () => {
  const layout = orgLayout(12, 3);
  const platform = parsePlatformConfig(layout.platform);

  it("the platform config parses: one band per team, one account per 5 teams, a pool, Azure", () => {
    expect(Object.keys(platform.teams)).toEqual(["team-01", "team-02", "team-03"]);
    expect(Object.values(platform.teams).map((t) => t.oktaPriorityBand)).toEqual([1, 2, 3]);
    expect(Object.keys(platform.aws!.accounts)).toEqual(["acct-01"]);
    expect(platform.gcp?.poolId).toBe("okta-bench");
    expect(platform.azure?.subscriptionId).toBeDefined();
    const providers = Object.entries(platform.teams).flatMap(([key, team]) => teamProviderIds(key, team, platform.gcp!.idSuffix));
    expect(new Set(providers).size).toBe(providers.length);
  });

  it("each team config parses against the platform's contract, 4 services each, in its own band and resource group", () => {
    const contract = contractFor(platform);
    const groups = new Set<string>();
    for (const team of layout.teams) {
      const parsed = parseTeamConfig(team.config, contract);
      expect(Object.keys(parsed.federation.services)).toHaveLength(4);
      expect(parsed.binding.oktaPriorityBand).toBe(platform.teams[team.name]!.oktaPriorityBand);
      expect(parsed.federation.aws?.accountId).toBe("222222222001");
      groups.add(parsed.federation.azure!.resourceGroup);
      // Every service on all three clouds, as the single-stack bench's.
      for (const service of Object.values(parsed.federation.services)) {
        expect(service.aws).toBeDefined();
        expect(service.gcp?.serviceAccount).toBe(true);
        // Granted on the team's bucket, not the shared project (its policy holds 1,500 principals).
        expect(service.gcp?.roles).toEqual([]);
        expect(service.gcp?.resourceRoles).toEqual({
          "bucket-storage-objectviewer": { resource: `//storage.googleapis.com/projects/_/buckets/${team.name}-bench-data`, role: "roles/storage.objectViewer", allowIdentityAdmin: false },
        });
        expect(Object.keys(service.azure?.roleAssignments ?? {})).toEqual(["blob-reader"]);
      }
    }
    expect(groups.size).toBe(3);
  });

  it("service keys, key ids and client keys are unique across the organisation; a service's names follow its key", () => {
    const keys = layout.teams.flatMap(keysOf);
    expect(keys).toEqual(Array.from({ length: 12 }, (_, i) => orgServiceKey(i, 12)));
    const jwks = layout.teams.flatMap(jwksOf);
    expect(new Set(jwks.map((k) => k.kid)).size).toBe(12);
    expect(new Set(jwks.map((k) => k.n)).size).toBe(12);
    expect(jwks.map((k) => k.kid)).toEqual(keys.map((k) => `${k}-1`));
    const scopes = layout.teams.flatMap((t) => Object.entries(t.config.services).map(([key, s]) => [key, (s as any).azure.roleAssignments["blob-reader"].scope as string]));
    for (const [key, scope] of scopes) expect(scope).toMatch(new RegExp(`/resourceGroups/${key}-bench$`));
  });

  it("keys keep one width from 10,000 services on, and sizes split evenly", () => {
    expect(orgServiceKey(0, 10_000)).toBe("svc-00001");
    expect(orgServiceKey(9_999, 10_000)).toBe("svc-10000");
    expect(orgServiceKey(0, 9_999)).toBe("svc-0001");
    expect(orgTeamSizes(10_000, 25)).toEqual(Array(25).fill(400));
    expect(orgTeamSizes(11, 3)).toEqual([4, 4, 3]);
    // The full-size organisation is one the kit accepts: 25 bands, 100 providers in the pool, 5 accounts.
    const full = parsePlatformConfig(orgLayout(10_000, 25).platform);
    expect(Object.keys(full.aws!.accounts)).toHaveLength(5);
    expect(Object.entries(full.teams).flatMap(([key, team]) => teamProviderIds(key, team, undefined))).toHaveLength(100);
  });

  it("refuses sizes no platform can take", () => {
    expect(() => orgLayout(100, 41)).toThrow(/at most 40/);
    expect(() => orgLayout(4_001, 2)).toThrow(/at most 2000/);
    expect(() => orgLayout(3, 4)).toThrow(/--org-teams/);
  });

  describe("stack files", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-org-test-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const files = writeOrgStackFiles(dir, layout);

    it("the platform's file sits beside the teams' under the name their platform reference gives", () => {
      expect(files.platform).toBe(join(dir, `Pulumi.${ORG_PLATFORM_NAME.split("/").pop()}.yaml`));
      expect(ORG_PLATFORM_NAME.endsWith(`/${ORG_PLATFORM_STACK}`)).toBe(true);
      const loaded = loadStackFile(files.platform);
      expect(JSON.parse(loaded.config[`${CONFIG_NAMESPACE}:platform`]!)).toEqual(layout.platform);
    });

    it("each team's file holds its config", () => {
      layout.teams.forEach((team, t) => {
        const loaded = loadStackFile(files.teams[t]!);
        expect(loaded.stack).toBe(team.stack);
        expect(JSON.parse(loaded.config[`${CONFIG_NAMESPACE}:team`]!)).toEqual(team.config);
      });
    });
  });
});

describe("bench --org: reading the org verify's report", () => {
  it("each stack's verdict and the organisation's", () => {
    const text = [
      "=== plan /tmp/a.json ===",
      "stack a",
      "PASSED: every service reaches exactly its own targets",
      "",
      "=== plan /tmp/b.json ===",
      "FAILED: 2 findings",
      "  - svc-0001 cannot reach x",
      "  - svc-0002 cannot reach y",
      "",
      "ORGANISATION  2 stacks: a, b",
      "cross-stack matrix: 8 cells",
      "unique across stacks: client keys",
      "Shared quotas (objects of several stacks in one GCP project or AWS account, summed):",
      "  ! GCP project p: service accounts: 120 of 100 (default quota) (a 60, b 60)",
      "",
      "FAILED: 1 stack failed (b); 1 cross-stack finding",
      "  - svc-0001 of b reaches a",
    ].join("\n");
    const report = readVerifyReport(text, new Map([["plan /tmp/a.json", "a"], ["plan /tmp/b.json", "b"]]));
    expect([...report.perStack]).toEqual([["a", { passed: true, findings: 0 }], ["b", { passed: false, findings: 2 }]]);
    expect(report.passed).toBe(false);
    expect(report.verdict).toMatch(/^FAILED: 1 stack failed/);
    expect(report.crossStack).toBe("cross-stack matrix: 8 cells");
    expect(report.crossFindings).toEqual(["  - svc-0001 of b reaches a"]);
    expect(report.sharedQuotas).toEqual(["  ! GCP project p: service accounts: 120 of 100 (default quota) (a 60, b 60)"]);
  });
});
