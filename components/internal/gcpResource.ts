/**
 * GCP full resource names (cloud.google.com/iam/docs/full-resource-names) of the kinds a service
 * may be granted a role on, parsed structurally into the fields of the provider's IAM member
 * resource. No Pulumi here: the config checks, the component and verify decide with the same parse.
 */

/** A parsed resource: its kind and the identifying parts, as the IAM member resource takes them. */
export type GcpResource =
  | { readonly kind: "bucket"; readonly bucket: string }
  | { readonly kind: "topic"; readonly project: string; readonly topic: string }
  | { readonly kind: "subscription"; readonly project: string; readonly subscription: string }
  | { readonly kind: "secret"; readonly project: string; readonly secret: string }
  | { readonly kind: "dataset"; readonly project: string; readonly dataset: string }
  | { readonly kind: "repository"; readonly project: string; readonly location: string; readonly repository: string }
  | { readonly kind: "service-account"; readonly project: string; readonly email: string };

/** The supported kinds, as a full resource name's pattern, in the order errors list them. */
export const GCP_RESOURCE_KINDS: readonly string[] = [
  "//storage.googleapis.com/projects/_/buckets/<bucket>",
  "//pubsub.googleapis.com/projects/<project>/topics/<topic>",
  "//pubsub.googleapis.com/projects/<project>/subscriptions/<subscription>",
  "//secretmanager.googleapis.com/projects/<project>/secrets/<secret>",
  "//bigquery.googleapis.com/projects/<project>/datasets/<dataset>",
  "//artifactregistry.googleapis.com/projects/<project>/locations/<location>/repositories/<repository>",
  "//iam.googleapis.com/projects/<project>/serviceAccounts/<email>",
];

const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const PUBSUB = /^[A-Za-z][A-Za-z0-9._~+%-]{2,254}$/;
const SECRET = /^[A-Za-z0-9_-]{1,255}$/;
const DATASET = /^[A-Za-z0-9_]{1,1024}$/;
const LOCATION = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const REPOSITORY = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const EMAIL = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/** A resource in words: "bucket bar-orders-dev", "Pub/Sub topic orders (project p)". */
export function gcpResourceText(r: GcpResource): string {
  switch (r.kind) {
    case "bucket":
      return `bucket ${r.bucket}`;
    case "topic":
      return `Pub/Sub topic ${r.topic} (project ${r.project})`;
    case "subscription":
      return `Pub/Sub subscription ${r.subscription} (project ${r.project})`;
    case "secret":
      return `secret ${r.secret} (project ${r.project})`;
    case "dataset":
      return `BigQuery dataset ${r.dataset} (project ${r.project})`;
    case "repository":
      return `Artifact Registry repository ${r.repository} (project ${r.project}, ${r.location})`;
    case "service-account":
      return `service account ${r.email}`;
  }
}

/**
 * Parses a full resource name of a supported kind, or says why it is not one: the segments are
 * split on `/` and each checked against its kind's id rules; nothing is matched by substring.
 */
export function parseGcpResource(name: string): { readonly ok: true; readonly resource: GcpResource } | { readonly ok: false; readonly message: string } {
  const unsupported = {
    ok: false as const,
    message: `"${name}" is not a full resource name of a supported kind; supported: ${GCP_RESOURCE_KINDS.join(", ")}`,
  };
  if (!name.startsWith("//")) return unsupported;
  const [service, ...path] = name.slice(2).split("/");
  const bad = (what: string, value: string) => ({ ok: false as const, message: `"${name}": ${what} "${value}" is not valid` });
  if (path.length < 4 || path[0] !== "projects") return unsupported;
  const project = path[1]!;
  const rest = path.slice(2);
  const is = (svc: string, ...collections: string[]) =>
    service === svc && rest.length === collections.length * 2 && collections.every((c, i) => rest[i * 2] === c);
  const checkProject = () => (PROJECT.test(project) ? undefined : bad("project id", project));
  if (is("storage.googleapis.com", "buckets")) {
    if (project !== "_") return { ok: false, message: `"${name}": a bucket's full resource name has project "_" (//storage.googleapis.com/projects/_/buckets/<bucket>)` };
    const bucket = rest[1]!;
    return BUCKET.test(bucket) && !bucket.includes("..") ? { ok: true, resource: { kind: "bucket", bucket } } : bad("bucket name", bucket);
  }
  if (is("pubsub.googleapis.com", "topics") || is("pubsub.googleapis.com", "subscriptions")) {
    const id = rest[1]!;
    if (checkProject()) return checkProject()!;
    if (!PUBSUB.test(id) || id.startsWith("goog")) return bad(rest[0] === "topics" ? "topic id" : "subscription id", id);
    return rest[0] === "topics"
      ? { ok: true, resource: { kind: "topic", project, topic: id } }
      : { ok: true, resource: { kind: "subscription", project, subscription: id } };
  }
  if (is("secretmanager.googleapis.com", "secrets")) {
    if (checkProject()) return checkProject()!;
    const secret = rest[1]!;
    return SECRET.test(secret) ? { ok: true, resource: { kind: "secret", project, secret } } : bad("secret id", secret);
  }
  if (is("bigquery.googleapis.com", "datasets")) {
    if (checkProject()) return checkProject()!;
    const dataset = rest[1]!;
    return DATASET.test(dataset) ? { ok: true, resource: { kind: "dataset", project, dataset } } : bad("dataset id", dataset);
  }
  if (is("artifactregistry.googleapis.com", "locations", "repositories")) {
    if (checkProject()) return checkProject()!;
    const location = rest[1]!;
    const repository = rest[3]!;
    if (!LOCATION.test(location)) return bad("location", location);
    return REPOSITORY.test(repository) ? { ok: true, resource: { kind: "repository", project, location, repository } } : bad("repository id", repository);
  }
  if (is("iam.googleapis.com", "serviceAccounts")) {
    if (checkProject()) return checkProject()!;
    const email = rest[1]!;
    return EMAIL.test(email) ? { ok: true, resource: { kind: "service-account", project, email } } : bad("service account email", email);
  }
  return unsupported;
}
