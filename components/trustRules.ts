/**
 * Config rules that keep the trust guarantee: no grant lets a service take over another identity
 * without the explicit opt-in, no two services share a client key, and nothing is configured that
 * the clouds refuse (a role trusting another account's provider, another account's policy).
 * Checked on the raw config, with key paths, before any resource is registered; the same rules
 * run across federations in one stack.
 */
import { azureIdentityResourceId } from "./internal/trust";
import { azureIdentityName } from "./internal/names";
import { clientKeyFingerprints, sameKeySourceNote } from "./internal/clientKeys";
import { IDENTITY_ADMIN_OPT_IN, awsIdentityAdminInline, awsIdentityAdminPolicy, azureIdentityAdminRole, azureScopeContains, gcpIdentityAdminRole, gcpResourceIdentityAdminRole } from "./internal/identityAdmin";
import { gcpResourceText, parseGcpResource } from "./internal/gcpResource";
import { rawInlineStatement, type InlineStatement } from "./internal/awsPolicy";
import { customerManagedPolicyArns, type AwsIdentityReach } from "./internal/awsIdentityAdmin";

/** What a federation's AWS grants are judged against: its roles' path and the customer managed policies its services attach. */
export function awsReachOf(raw: unknown): AwsIdentityReach {
  const config = asRecord(raw);
  const attached = Object.values(asRecord(config.services)).flatMap((service) =>
    Object.values(asRecord(asRecord(asRecord(service).aws).policies)).map((v) => (isRecord(v) ? str(v.arn) : str(v))),
  );
  return {
    rolePath: str(asRecord(config.aws).rolePath) ?? "/oktafed/",
    attachedPolicyArns: customerManagedPolicyArns(attached),
  };
}

export interface RuleProblem {
  readonly path: string;
  readonly message: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const asRecord = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Where a federation's identities live: what an identity-admin grant could reach. */
export interface IdentityLocations {
  /** The federation name, for messages (empty for the one federation of a stack). */
  readonly federation: string;
  readonly awsAccount?: string;
  readonly gcpProject?: string;
  readonly azureIdentities: ReadonlyArray<{ readonly service: string; readonly id: string }>;
}

/** The identities a raw federation config creates, by cloud. */
export function identityLocations(raw: unknown, federation = ""): IdentityLocations {
  const config = asRecord(raw);
  const services = asRecord(config.services);
  const uses = (cloud: string) => Object.values(services).some((s) => asRecord(s)[cloud] !== undefined);
  const azure = asRecord(config.azure);
  const environment = str(config.environment) ?? "env";
  const prefix = str(azure.identityNamePrefix) ?? `id-${environment}-`;
  const azureIdentities: Array<{ service: string; id: string }> = [];
  if (str(azure.subscriptionId) && str(azure.resourceGroup)) {
    for (const [key, service] of Object.entries(services)) {
      if (asRecord(service).azure === undefined) continue;
      const physical = str(asRecord(service).renamedFrom) ?? key;
      azureIdentities.push({ service: key, id: azureIdentityResourceId(azure.subscriptionId as string, azure.resourceGroup as string, azureIdentityName(prefix, physical)) });
    }
  }
  return {
    federation,
    ...(uses("aws") && str(asRecord(config.aws).accountId) ? { awsAccount: str(asRecord(config.aws).accountId) } : {}),
    ...(uses("gcp") && str(asRecord(config.gcp).project) ? { gcpProject: str(asRecord(config.gcp).project) } : {}),
    azureIdentities,
  };
}

/** Each grant of a service, with its path, whatever form the config used. */
function grantsOf(service: Record<string, unknown>, path: string) {
  const aws = Object.entries(asRecord(asRecord(service.aws).policies)).map(([key, value]) => ({
    path: `${path}.aws.policies.${key}`,
    arn: isRecord(value) ? str(value.arn) : str(value),
    optIn: isRecord(value) && value.allowIdentityAdmin === true,
  }));
  const inline = Object.entries(asRecord(asRecord(service.aws).inlinePolicies)).map(([key, value]) => {
    const raw = asRecord(value).statements;
    const statements = (Array.isArray(raw) ? raw : []).map(rawInlineStatement);
    return {
      path: `${path}.aws.inlinePolicies.${key}`,
      key,
      statements: statements.every((st) => st !== undefined) ? (statements as InlineStatement[]) : undefined,
      optIn: asRecord(value).allowIdentityAdmin === true,
    };
  });
  const rawRoles = asRecord(service.gcp).roles;
  const gcp = (Array.isArray(rawRoles) ? rawRoles : []).map((value, i) => ({
    path: `${path}.gcp.roles[${i}]`,
    role: isRecord(value) ? str(value.role) : str(value),
    optIn: isRecord(value) && value.allowIdentityAdmin === true,
  }));
  const azure = Object.entries(asRecord(asRecord(service.azure).roleAssignments)).map(([key, value]) => ({
    path: `${path}.azure.roleAssignments.${key}`,
    role: str(asRecord(value).role),
    scope: str(asRecord(value).scope),
    optIn: asRecord(value).allowIdentityAdmin === true,
  }));
  const gcpResources = Object.entries(asRecord(asRecord(service.gcp).resourceRoles)).map(([key, value]) => ({
    path: `${path}.gcp.resourceRoles.${key}`,
    role: str(asRecord(value).role),
    resource: str(asRecord(value).resource),
    optIn: asRecord(value).allowIdentityAdmin === true,
  }));
  return { aws, inline, gcp, gcpResources, azure };
}

const OPT_IN_HINT = `refused unless the grant carries the explicit opt-in ${IDENTITY_ADMIN_OPT_IN} (docs/guardrails.md#identity-admin-grants)`;
const where = (locations: IdentityLocations) => (locations.federation ? ` of federation ${locations.federation}` : "");

/**
 * Identity-admin grants (internal/identityAdmin.ts) without the opt-in, and opt-ins on grants that
 * do not need one. `reach` lists the identities a grant could take over: the federation's own,
 * and in a stack with several federations, every federation's.
 */
export function identityAdminProblems(raw: unknown, reach: readonly IdentityLocations[], prefix = ""): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path: `${prefix}${path}`, message });
  const config = asRecord(raw);
  // What the stack's AWS grants are judged against, and the accounts they reach: the same for every service.
  const awsReach = awsReachOf(config);
  const accounts = [...new Set(reach.map((l) => l.awsAccount).filter((a): a is string => a !== undefined))];
  for (const [key, serviceRaw] of Object.entries(asRecord(config.services))) {
    const grants = grantsOf(asRecord(serviceRaw), `services.${key}`);
    const takeover = `${key} could take over every other service's AWS role (account ${accounts.join(", ") || "of the role"})`;
    for (const grant of grants.aws) {
      const why = awsIdentityAdminPolicy(grant.arn, awsReach);
      if (why && !grant.optIn) add(grant.path, `${grant.arn} ${why}: ${takeover}; ${OPT_IN_HINT}`);
      if (!why && grant.optIn) add(`${grant.path}.allowIdentityAdmin`, `${grant.arn} is not an identity-admin policy; remove the opt-in`);
    }
    for (const grant of grants.inline) {
      if (grant.statements === undefined) continue;
      const why = awsIdentityAdminInline(grant.statements, awsReach);
      if (why && !grant.optIn) add(grant.path, `inline policy ${grant.key}: ${why}: ${takeover}; ${OPT_IN_HINT}`);
      if (!why && grant.optIn) add(`${grant.path}.allowIdentityAdmin`, `inline policy ${grant.key} is not an identity-admin policy; remove the opt-in`);
    }
    for (const grant of grants.gcp) {
      const admin = gcpIdentityAdminRole(grant.role);
      const project = str(asRecord(config.gcp).project);
      if (admin && !grant.optIn) {
        const what = admin.reach === "project" ? "every identity and grant" : "every service account";
        add(grant.path, `${grant.role} on project ${project ?? "(gcp.project)"} ${admin.why}: ${key} could take over ${what} of the other services there; ${OPT_IN_HINT}`);
      }
      if (!admin && grant.optIn) add(`${grant.path}.allowIdentityAdmin`, `${grant.role} is not an identity-admin role; remove the opt-in`);
    }
    for (const grant of grants.gcpResources) {
      const parsed = grant.resource === undefined ? undefined : parseGcpResource(grant.resource);
      if (!parsed?.ok) continue;
      const admin = gcpResourceIdentityAdminRole(grant.role, parsed.resource);
      if (admin && !grant.optIn) add(`${grant.path}.role`, `${grant.role} on ${gcpResourceText(parsed.resource)} ${admin.why}; ${OPT_IN_HINT}`);
      if (!admin && grant.optIn) add(`${grant.path}.allowIdentityAdmin`, `${grant.role} on ${gcpResourceText(parsed.resource)} is not an identity-admin grant; remove the opt-in`);
    }
    for (const grant of grants.azure) {
      const admin = azureIdentityAdminRole(grant.role);
      const inScope = admin && grant.scope ? reach.flatMap((l) => l.azureIdentities.filter((i) => azureScopeContains(grant.scope!, i.id)).map((i) => ({ ...i, locations: l }))) : [];
      if (admin && inScope.length > 0 && !grant.optIn) {
        // The service's own identity is named apart: rewriting its own trust is not taking over another.
        const names = inScope.filter((i) => !(i.service === key && prefix === (i.locations.federation ? `${i.locations.federation}.` : ""))).map((i) => `${i.service}${where(i.locations)}`);
        const shown = names.length > 5 ? `${names.slice(0, 5).join(", ")} and ${names.length - 5} more` : names.join(", ");
        const effect = names.length ? `holds the managed identities of ${shown}: ${key} could take them over` : `holds ${key}'s own managed identity: ${key} could rewrite its own trust`;
        add(grant.path, `${admin.name} at ${grant.scope} ${admin.why}, and that scope ${effect}; ${OPT_IN_HINT}`);
      }
      if (grant.optIn && inScope.length === 0) {
        add(`${grant.path}.allowIdentityAdmin`, `${grant.role} at ${grant.scope ?? "(scope)"} reaches no managed identity of the kit; remove the opt-in`);
      }
    }
  }
  return problems;
}

/** AWS refuses these at deploy: a role trusting another account's provider, another account's policy. */
export function accountProblems(raw: unknown): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const config = asRecord(raw);
  const aws = asRecord(config.aws);
  const account = str(aws.accountId);
  if (!account) return problems;
  const accountOf = (arn: string | undefined) => (arn ? /^arn:aws[a-z-]*:iam::([^:]+):/.exec(arn)?.[1] : undefined);
  const provider = str(aws.existingOidcProviderArn);
  const providerAccount = accountOf(provider);
  if (providerAccount && providerAccount !== account) {
    problems.push({ path: "aws.existingOidcProviderArn", message: `is in account ${providerAccount}, but aws.accountId is ${account}: a role can trust only an OIDC provider of its own account` });
  }
  const foreignPolicy = (arn: string | undefined) => {
    const owner = accountOf(arn);
    return owner !== undefined && owner !== "aws" && owner !== account ? owner : undefined;
  };
  const boundaryAccount = foreignPolicy(str(aws.permissionsBoundaryArn));
  if (boundaryAccount) {
    problems.push({ path: "aws.permissionsBoundaryArn", message: `is a policy of account ${boundaryAccount}; IAM uses only policies of the role's own account (${account}) or AWS managed policies (arn:aws:iam::aws:policy/…)` });
  }
  for (const [key, serviceRaw] of Object.entries(asRecord(config.services))) {
    for (const grant of grantsOf(asRecord(serviceRaw), `services.${key}`).aws) {
      const owner = foreignPolicy(grant.arn);
      if (owner) problems.push({ path: grant.path, message: `${grant.arn} is a policy of account ${owner}; IAM attaches only policies of the role's own account (${account}) or AWS managed policies (arn:aws:iam::aws:policy/…)` });
    }
  }
  return problems;
}

/** One registered client credential of a service, for the one-key-one-service rule. */
export interface ClientKeyUse {
  /** The federation that registers it ("" for the one federation of a stack). */
  readonly federation: string;
  readonly path: string;
  readonly service: string;
  readonly label: string;
  readonly fingerprint: string;
}

/** Every key and JWKS URL the services of a raw federation register, with paths. */
export function clientKeyUses(raw: unknown, federation = ""): ClientKeyUse[] {
  const prefix = federation ? `${federation}.` : "";
  return Object.entries(asRecord(asRecord(raw).services)).flatMap(([key, service]) =>
    clientKeyFingerprints(asRecord(service).auth).map((use) => ({ ...use, federation, path: `${prefix}services.${key}.auth`, service: federation ? `${federation}/${key}` : key })),
  );
}

/**
 * The same public key or JWKS URL on two services: with private_key_jwt, Okta accepts a client
 * assertion signed by any key registered for the client, so each could obtain the other's tokens.
 */
export function sharedKeyProblems(uses: readonly ClientKeyUse[], options: { readonly acrossFederationsOnly?: boolean } = {}): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const first = new Map<string, ClientKeyUse>();
  for (const use of uses) {
    const earlier = first.get(use.fingerprint);
    if (!earlier) first.set(use.fingerprint, use);
    else if (earlier.service !== use.service && !(options.acrossFederationsOnly && earlier.federation === use.federation)) {
      problems.push({
        path: use.path,
        message: `registers the same ${use.label.startsWith("jwksUri") ? use.label : `public key (${use.label})`} as service ${earlier.service} (${earlier.label}${sameKeySourceNote(use, earlier)}): Okta accepts a client assertion signed by any key of a client, so each service could obtain the other's tokens; give every service its own key pair`,
      });
    }
  }
  return problems;
}

/** The one-federation rules of this file, for parseFederationConfig. */
export function trustRuleProblems(raw: unknown): RuleProblem[] {
  return [...identityAdminProblems(raw, [identityLocations(raw)]), ...accountProblems(raw), ...sharedKeyProblems(clientKeyUses(raw))];
}
