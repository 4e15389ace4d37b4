/**
 * The trust that is DEPLOYED: a `pulumi stack export` document read as the PlanDocument that
 * extractModel reads, for any program that uses the kit's components. Nothing is decrypted: a
 * secret is "[secret]", whatever the export holds (ciphertext, or plaintext with --show-secrets).
 *
 * The export format, as read from pulumi/pulumi at commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8:
 * - sdk/go/common/apitype/core.go: `UntypedDeployment` `{version, features?, deployment}`, what
 *   `pulumi stack export` prints (pkg/cmd/pulumi/stack/stack_export.go); `DeploymentV3`
 *   `{manifest, secrets_providers, resources, pending_operations}` (versions 3 and 4 both unmarshal
 *   into it: 4 is written only when a feature such as taint or resource hooks is in use,
 *   pkg/resource/stack/deployment.go SerializeDeploymentWithMetadata); `ResourceV3`
 *   `{urn, custom, delete, id, type, inputs, outputs, parent, external, provider, ...}`;
 *   `CheckpointV3` `{stack, latest: DeploymentV3}` (the file backend's stack file).
 * - sdk/go/common/apitype/core.go `SecretV1` and pkg/resource/stack/deployment.go
 *   SerializePropertyValue: a secret is `{"4dabf18193072939515e22adb298388d":
 *   "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "…"}` (`plaintext` instead with
 *   `--show-secrets`); sdk/go/common/resource/sig/sig.go holds the signatures.
 * - sdk/go/common/resource/urn/urn.go: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`,
 *   the name being everything after the third `::`.
 */
import { SECRET_MARK } from "../offline/engine";
import { mapPlaceholders } from "../../components/internal/placeholder";
import type { PlanDocument, PlanResource } from "./model";

/** sig.Key and sig.Secret (sdk/go/common/resource/sig/sig.go). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** sig.ByteString: a string that is not valid UTF-8, base64 in `value` (deployment schema version 4, feature byteString). */
const BYTE_STRING_SIG = "803fd3297a5875dc03ca845dda5d2a98";
/** The deployment schema versions read: both unmarshal into DeploymentV3 (apitype/core.go). */
export const STATE_VERSIONS: readonly number[] = [3, 4];
export const STATE_KIND = "pulumi/stack-export";
/** How a user makes the file. */
export const MAKE_STATE = "pulumi stack export --stack <name> > state.json";
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
const URN_PREFIX = "urn:pulumi:";

/** A state export that cannot be used: one line for the user, exit code 2. */
export class StateExportError extends Error {}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** The deployment of an export (`deployment`) or of a file-backend checkpoint (`checkpoint.latest`), when the document has that shape. */
function deploymentOf(doc: unknown): Json | undefined {
  if (!isRecord(doc)) return undefined;
  if (isRecord(doc.deployment)) return doc.deployment;
  if (isRecord(doc.checkpoint) && isRecord(doc.checkpoint.latest)) return doc.checkpoint.latest;
  return undefined;
}

/** True when a parsed document has the shape of a stack export (or checkpoint): told apart from an offline plan by shape. */
export function isStateExport(doc: unknown): boolean {
  return deploymentOf(doc) !== undefined;
}

/** The parts of a URN (urn.go: Stack is component 0, Name everything from component 3). */
export function parseUrn(urn: string): { stack: string; project: string; qualifiedType: string; name: string } | undefined {
  if (!urn.startsWith(URN_PREFIX)) return undefined;
  const parts = urn.slice(URN_PREFIX.length).split("::");
  if (parts.length < 4) return undefined;
  return { stack: parts[0]!, project: parts[1]!, qualifiedType: parts[2]!, name: parts.slice(3).join("::") };
}

/**
 * A state value as the plan shows values: every secret "[secret]" (its ciphertext or plaintext is
 * dropped, never decoded), a byte string as its text; everything else as is.
 */
export function redactState(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactState);
  if (!isRecord(value)) return value;
  const sig = value[SIG_KEY];
  if (sig === SECRET_SIG) return SECRET_MARK;
  if (sig === BYTE_STRING_SIG && typeof value.value === "string") return Buffer.from(value.value, "base64").toString("utf8");
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactState(v)]));
}

/**
 * Values a provider records in another form than the program gave them, in the form the model
 * compares. IAM stores an OIDC provider's URL without its scheme and the AWS provider reads it back
 * so (hashicorp/terraform-provider-aws internal/service/iam/openid_connect_provider.go:
 * `d.Set(names.AttrURL, output.Url)`, a DiffSuppressFunc hiding the difference); STS matches
 * `https://<url>` with the token's `iss`.
 */
function normalizeDeployed(type: string, values: Json): Json {
  if (type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider" && typeof values.url === "string" && !/^[a-z]+:\/\//i.test(values.url)) {
    return { ...values, url: `https://${values.url}` };
  }
  const iam = GCP_IAM_RESOURCE_IDS[type];
  if (iam && typeof values[iam.field] === "string") {
    const match = iam.id.exec(values[iam.field] as string);
    if (match?.groups) return { ...values, ...match.groups };
  }
  return values;
}

/**
 * The google provider's IAM resources on single resources (gcp.resourceRoles) record the field
 * naming the resource as the resource's id rather than as the program gave it: a bucket as
 * `b/<bucket>`, a topic as `projects/<p>/topics/<t>`, a secret as `projects/<p>/secrets/<s>`, a
 * repository as `projects/<p>/locations/<l>/repositories/<r>` (terraform-provider-google's IAM
 * updaters, `…IamUpdaterProducer`: `d.Set("<field>", u.GetResourceId())`, a DiffSuppressFunc hiding
 * the difference). Read back into the program's form, its parts into their own fields, so the
 * deployed grant reads as the planned one; a value already in the program's form is left as is.
 */
const GCP_IAM_RESOURCE_IDS: Readonly<Record<string, { readonly field: string; readonly id: RegExp }>> = {
  "gcp:storage/bucketIAMMember:BucketIAMMember": { field: "bucket", id: /^b\/(?<bucket>[^/]+)$/ },
  "gcp:pubsub/topicIAMMember:TopicIAMMember": { field: "topic", id: /^projects\/(?<project>[^/]+)\/topics\/(?<topic>[^/]+)$/ },
  "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": { field: "subscription", id: /^projects\/(?<project>[^/]+)\/subscriptions\/(?<subscription>[^/]+)$/ },
  "gcp:secretmanager/secretIamMember:SecretIamMember": { field: "secretId", id: /^projects\/(?<project>[^/]+)\/secrets\/(?<secretId>[^/]+)$/ },
  "gcp:bigquery/datasetIamMember:DatasetIamMember": { field: "datasetId", id: /^projects\/(?<project>[^/]+)\/datasets\/(?<datasetId>[^/]+)$/ },
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": {
    field: "repository",
    id: /^projects\/(?<project>[^/]+)\/locations\/(?<location>[^/]+)\/repositories\/(?<repository>[^/]+)$/,
  },
};

/**
 * What a custom resource holds as deployed: its inputs, overlaid with its outputs where the outputs
 * carry the property. Outputs are what the provider last recorded (after the deploy, or after a
 * `pulumi refresh` that found a change made outside Pulumi); inputs stay what the program asked
 * for until the next deploy. A secret output leaves its input in place.
 */
function deployedValues(type: string, inputs: Json, outputs: Json): Json {
  const merged: Json = { ...inputs };
  for (const [key, value] of Object.entries(outputs)) {
    if (value === null || value === undefined) continue;
    if (value === SECRET_MARK && key in inputs) continue;
    merged[key] = value;
  }
  return normalizeDeployed(type, merged);
}

/**
 * Converts a stack export into the PlanDocument that extractModel reads. `where` names the file in
 * messages, e.g. "state state.json" or "base state before.json".
 *
 * One PlanResource per live resource (skipped: `delete: true`, an old copy pending deletion after a
 * replacement, and `pendingReplacement: true`, deleted by a delete-before-replace and not yet
 * created again; the root stack gives the stack name and outputs): `name` from the URN, `parent`
 * (null under the root stack, as in the plan), `inputs` = the deployed values (see
 * {@link deployedValues}), `afterDeploy` = the outputs with the resource's `id`, a component's
 * registered `outputs`, and `operation: "read"` with `id` for a resource read rather than
 * managed (`external: true`).
 */
export function stateToPlan(doc: unknown, where: string): PlanDocument {
  const deployment = deploymentOf(doc);
  if (!deployment || !Array.isArray(deployment.resources)) {
    if (isRecord(doc) && doc.kind === "okta-federation/offline-plan") {
      throw new StateExportError(`${where} is an offline plan, not a stack export: pass it with --plan, or export the state with ${MAKE_STATE}`);
    }
    throw new StateExportError(`${where} is not a Pulumi stack export (version and deployment.resources): write it with ${MAKE_STATE}`);
  }
  const version = (doc as Json).version;
  if (typeof version !== "number" || !STATE_VERSIONS.includes(version)) {
    throw new StateExportError(
      `${where} is a stack export of version ${JSON.stringify(version ?? null)}; verify reads versions ${STATE_VERSIONS.join(" and ")}: export it with a current Pulumi CLI, ${MAKE_STATE}`,
    );
  }
  const raw = deployment.resources as unknown[];
  for (const [i, r] of raw.entries()) {
    if (!isRecord(r) || typeof r.urn !== "string" || typeof r.type !== "string" || !parseUrn(r.urn)) {
      throw new StateExportError(`${where} is not a Pulumi stack export: resources[${i}] has no valid urn and type; write it with ${MAKE_STATE}`);
    }
  }
  const live = (raw as Json[]).filter((r) => r.delete !== true && r.pendingReplacement !== true);
  const root = live.find((r) => r.type === ROOT_STACK_TYPE && !r.parent);
  const stack = parseUrn(String((root ?? live[0])?.urn ?? ""))?.stack;
  if (!live.some((r) => String(r.type).startsWith("oktafed:"))) {
    throw new StateExportError(
      `${where} holds no okta-federation components (no oktafed: resource types): export the stack whose program uses the kit's components, ${MAKE_STATE}`,
    );
  }
  if (!live.some((r) => r.type === "okta:auth/server:Server")) {
    throw new StateExportError(
      `${where} holds okta-federation components but no Okta authorization server (okta:auth/server:Server): verify simulates the server's tokens, so export the stack that creates or adopts it (AuthorizationServer or Federation)`,
    );
  }

  const resources: PlanResource[] = [];
  for (const r of live) {
    if (r === root) continue;
    const type = String(r.type);
    const urn = String(r.urn);
    const inputs = redactState(isRecord(r.inputs) ? r.inputs : {}) as Json;
    const outputs = redactState(isRecord(r.outputs) ? r.outputs : {}) as Json;
    const parent = typeof r.parent === "string" && r.parent !== "" && r.parent !== root?.urn ? r.parent : null;
    const id = typeof r.id === "string" && r.id !== "" ? r.id : undefined;
    const base = { urn, type, name: parseUrn(urn)!.name, parent };
    if (r.custom === true) {
      resources.push({
        ...base,
        ...(r.external === true ? { operation: "read", ...(id ? { id } : {}) } : {}),
        inputs: deployedValues(type, inputs, outputs),
        afterDeploy: normalizeDeployed(type, { ...(id ? { id } : {}), ...outputs }),
      });
    } else {
      resources.push({ ...base, inputs, ...(Object.keys(outputs).length ? { outputs } : {}) });
    }
  }
  return {
    kind: STATE_KIND,
    stack: stack ?? "",
    resources,
    outputs: root && isRecord(root.outputs) ? (redactState(root.outputs) as Json) : {},
  };
}

/** The pending operations of an export (an interrupted update), by type: e.g. "1 creating". */
export function pendingOperations(doc: unknown): string[] {
  const ops = deploymentOf(doc)?.pending_operations;
  if (!Array.isArray(ops) || ops.length === 0) return [];
  const counts = new Map<string, number>();
  for (const op of ops) {
    const type = isRecord(op) && typeof op.type === "string" ? op.type : "unknown";
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].map(([type, n]) => `${n} ${type}`);
}

/**
 * An offline plan with its placeholders replaced by the deployed values, where the state has the
 * resource (same name and type): so a plan compared with a state differs only where the program
 * changes something, not in every value a deploy learns. A resource the state lacks keeps its
 * placeholder; a value the state holds as a secret too. GCP project numbers (`<project.projectNumber>`)
 * come from the deployed pools' names (`projects/<number>/…`). Only between documents of the same
 * stack: another stack's values would hide the differences a comparison across stacks is for.
 */
export function resolvePlaceholders(plan: PlanDocument, deployed: PlanDocument): PlanDocument {
  if (plan.stack !== deployed.stack) return plan;
  const planTypes = new Map<string, string>();
  // Placeholders name custom resources; a component of the same name must not hide one.
  for (const r of plan.resources) if (!r.type.startsWith("oktafed:")) planTypes.set(r.name, r.type);
  const byKey = new Map<string, PlanResource>();
  for (const r of deployed.resources) byKey.set(`${r.type}|${r.name}`, r);
  const projectNumbers = new Map<string, string>();
  for (const r of deployed.resources) {
    if (!r.type.startsWith("gcp:iam/workloadIdentityPool")) continue;
    const number = /^projects\/(\d+)\//.exec(String(r.afterDeploy?.name ?? ""))?.[1];
    const project = r.inputs.project;
    if (number && typeof project === "string") projectNumbers.set(project, number);
  }
  const lookup = (name: string, property: string): string | undefined => {
    if (property === "projectNumber" && projectNumbers.has(name)) return projectNumbers.get(name);
    const type = planTypes.get(name);
    const found = type === undefined ? undefined : byKey.get(`${type}|${name}`);
    if (!found) return undefined;
    const value = found.afterDeploy?.[property] ?? found.inputs[property] ?? (property === "id" ? found.id : undefined);
    return typeof value === "string" && value !== SECRET_MARK ? value : undefined;
  };
  const resolve = (value: unknown): unknown => mapPlaceholders(value, (name, property, whole) => lookup(name, property) ?? whole);
  return { ...plan, resources: plan.resources.map((r) => resolve(r) as PlanResource), ...(plan.outputs ? { outputs: resolve(plan.outputs) as Record<string, unknown> } : {}) };
}
