/**
 * What a pull request moves from one stack of an organisation to another: a service key that one
 * team stack's head drops and another team stack's head adds (a service handed to another team, a
 * team split in two), and the names a cloud holds once (an AWS role name in an account, a GCP
 * service account in a project, …) that one stack's `pulumi up` deletes and another's creates.
 *
 * pulumi up moves nothing between stacks: the stack that gains a service creates a new identity
 * for it (a new Okta app, so a new client id, and new cloud identities) and the stack that loses it
 * deletes the old one. Where the cloud holds a name once, the gaining stack's create fails until
 * the losing stack's delete has run, so the order of the two deploys decides whether the service is
 * down in between. Neither is a finding (the pull request may be right); both are risky changes a
 * reviewer must read, with the order to deploy in. Likewise a stack file removed and another added
 * that hold the same names: a stack renamed (pulumi stack rename keeps every identity) or one
 * taking over another's objects (stackRenames). Pure: plans and configs in, words out.
 */
import { nameKey, uniqueNames, type NameKind, type NamedThing } from "../verify/orgUniqueness";
import { qualifyPlaceholders } from "../verify/orgDocuments";
import type { PlanDocument } from "../verify/model";

/** One stack of the organisation as the review sees it on each side. */
export interface MoveSides {
  readonly stack: string;
  /** Its service keys (a team stack's `services`), base and head; undefined: no such stack file on that side. */
  readonly baseServices?: readonly string[];
  readonly headServices?: readonly string[];
  /** Its plans: null when its stack file on that side does not plan (unknown, not empty); undefined when there is no stack file. */
  readonly base?: PlanDocument | null;
  readonly head?: PlanDocument | null;
}

/** A service or a cloud name that leaves one stack and arrives in another in the same pull request. */
export interface StackMove {
  readonly kind: "service" | "name";
  /** The stack whose `pulumi up` deletes it, and the stack whose `pulumi up` creates it. */
  readonly from: string;
  readonly to: string;
  /** The service key, or the name with its kind and scope (`AWS role name stage-ledger in AWS account 222222222222`). */
  readonly what: string;
  /** What `pulumi up` does with it, and the order to deploy the two stacks in. */
  readonly message: string;
}

/**
 * Why the stack that gains a name cannot create it while the other stack holds it, and for how long,
 * per kind of name that its cloud holds once. Okta app labels and authorization server names are
 * not here: Okta does not refuse a second app with one label (the organisation proof reports two
 * at once); GCP principals hold a client id, which a new app never shares with an old one.
 */
const HELD_ONCE: Readonly<Partial<Record<NameKind, (to: string, from: string) => string>>> = {
  // IAM names are unique in an account whatever the path; a recreated role has a new unique id, and
  // resource policies that named the old role do not match the new one (IAM identifiers reference).
  "AWS role name": (to, from) =>
    `IAM holds one role per name in an account: the create in ${to} fails (EntityAlreadyExists) until ${from}'s pulumi up has deleted the role; the new role has a new unique id, so resource policies that named the old one (bucket, key or queue policies) must be saved again`,
  "AWS OIDC provider": (to, from) =>
    `IAM holds one OIDC provider per URL in an account: the create in ${to} fails (EntityAlreadyExists) until ${from}'s pulumi up has deleted it, and the roles that trust the old provider's ARN lose their trust when it goes`,
  // A deleted pool or provider keeps its id for about 30 days (GCP: Manage workload identity pools).
  "GCP pool": (to, from) =>
    `GCP keeps a deleted pool's id for about 30 days: the create in ${to} fails (409) while ${from} holds the pool and for 30 days after its pulumi up deletes it; give the pool another id (gcp.idSuffix)`,
  "GCP pool provider": (to, from) =>
    `GCP keeps a deleted provider's id for about 30 days: the create in ${to} fails (409) while ${from} holds the provider and for 30 days after its pulumi up deletes it; give the provider another id (the platform's teams.<team>.gcp.providerId, or gcp.idSuffix)`,
  // A new account with a deleted account's name is another principal (GCP: Delete and undelete service accounts).
  "GCP service account": (to, from) =>
    `GCP holds one service account per email: the create in ${to} fails (409) until ${from}'s pulumi up has deleted it; the new account is a new principal, and roles granted to the old one outside this kit do not carry over`,
  // azure-native reads before it creates and refuses a resource that exists (pulumi/pulumi-azure-native#303).
  "Azure identity name": (to, from) =>
    `Azure holds one identity per name in a resource group: the create in ${to} fails (azure-native refuses to create a resource that exists) until ${from}'s pulumi up has deleted it; the new identity has a new client id and principal id`,
};

/** The names of a plan that its cloud holds once, by id (placeholders qualified by the stack, so two stacks' unknowns never match). */
function heldNames(plan: PlanDocument | null | undefined): Map<string, NamedThing> {
  const names = new Map<string, NamedThing>();
  if (!plan) return names;
  for (const thing of uniqueNames(qualifyPlaceholders(plan))) if (HELD_ONCE[thing.kind]) names.set(nameKey(thing), thing);
  return names;
}

const minus = <T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>) => new Map([...a].filter(([id]) => !b.has(id)));
const keysOf = (keys: readonly string[] | undefined) => new Set(keys ?? []);

/**
 * The pull request's moves between the stacks given (one organisation): each service key a stack
 * drops that another adds, then each name held once that a stack's plan drops and another's adds.
 * A service's words give the order to deploy in: the gaining stack first (both identities exist
 * while the workloads switch) unless a name held once moves with it, when the losing stack must go
 * first and the service is down until the gaining stack is deployed.
 */
export function movesBetweenStacks(sides: readonly MoveSides[]): StackMove[] {
  const names = sides.map((s) => {
    const base = heldNames(s.base);
    const head = heldNames(s.head);
    // A side that does not plan is unknown, not empty: nothing is dropped from or added against it.
    const none = new Map<string, NamedThing>();
    return { stack: s.stack, dropped: s.base && s.head ? minus(base, head) : none, added: s.head && s.base !== null ? minus(head, base) : none };
  });
  const nameMoves: StackMove[] = [];
  for (const to of names) {
    for (const [id, thing] of to.added) {
      const from = names.find((n) => n.stack !== to.stack && n.dropped.has(id));
      if (!from) continue;
      nameMoves.push({ kind: "name", from: from.stack, to: to.stack, what: `${thing.kind} ${thing.name} in ${thing.scope}`, message: HELD_ONCE[thing.kind]!(to.stack, from.stack) });
    }
  }

  const serviceMoves: StackMove[] = [];
  for (const to of sides) {
    if (to.headServices === undefined) continue;
    const before = keysOf(to.baseServices);
    for (const key of to.headServices.filter((k) => !before.has(k))) {
      const from = sides.find((s) => s.stack !== to.stack && s.headServices !== undefined && (s.baseServices ?? []).includes(key) && !s.headServices.includes(key));
      if (!from) continue;
      // The order is the two stacks', not the service's: a stack deploys as a whole.
      const held = nameMoves.some((m) => m.from === from.stack && m.to === to.stack);
      const order = held
        ? `; names held once go from ${from.stack} to ${to.stack} in this pull request (below), and ${from.stack} holds them until its pulumi up deletes them, so deploy ${from.stack} first: the service has no access from then until ${to.stack} is deployed and its workloads have switched (or give the service a new key in ${to.stack}, and move without an outage)`
        : `; without an outage: deploy ${to.stack} first, switch the workloads, then deploy ${from.stack}`;
      serviceMoves.push({
        kind: "service",
        from: from.stack,
        to: to.stack,
        what: key,
        message: `${to.stack} creates a new Okta app for it (a new client id) and new cloud identities, ${from.stack} deletes the old ones, and its workloads must take the new client id and credential settings from ${to.stack}'s outputs${order}`,
      });
    }
  }
  const byWhat = (a: StackMove, b: StackMove) => a.what.localeCompare(b.what) || a.from.localeCompare(b.from) || a.to.localeCompare(b.to);
  return [...serviceMoves.sort(byWhat), ...nameMoves.sort(byWhat)];
}

/** A stack file the pull request removes and one it adds that hold names in common: a stack renamed, or one taking over another's objects. */
export interface StackRename {
  readonly from: string;
  readonly to: string;
  /** The names both hold, in words (`AWS role name dev-payments in AWS account 111111111111`), Okta app labels included. */
  readonly names: readonly string[];
  /** How many of them a cloud holds once (the new stack's create of those fails while the old stack holds them). */
  readonly held: number;
}

/**
 * Each stack file the head adds (`added`, its head plan) whose plan holds names that a stack file
 * the head removes (`removed`, its base plan) holds too: Okta app labels and names a cloud holds
 * once. `pulumi stack rename` keeps every identity (it rewrites the stack name in every URN of the
 * state: pulumi/pulumi `pkg/resource/edit/operations.go`, RenameStack); a new stack beside the old
 * one creates its own objects, and its creates of held names fail while the old stack holds them.
 */
export function stackRenames(removed: ReadonlyArray<{ stack: string; plan: PlanDocument }>, added: ReadonlyArray<{ stack: string; plan: PlanDocument }>): StackRename[] {
  const named = (plan: PlanDocument) => {
    const names = new Map<string, { words: string; held: boolean }>();
    for (const thing of uniqueNames(qualifyPlaceholders(plan))) {
      if (HELD_ONCE[thing.kind] || thing.kind === "Okta app label") names.set(nameKey(thing), { words: `${thing.kind} ${thing.name} in ${thing.scope}`, held: Boolean(HELD_ONCE[thing.kind]) });
    }
    return names;
  };
  const renames: StackRename[] = [];
  const removedNames = removed.map((r) => ({ stack: r.stack, names: named(r.plan) }));
  for (const a of added) {
    const mine = named(a.plan);
    for (const r of removedNames) {
      const shared = [...mine].filter(([id]) => r.names.has(id)).map(([, thing]) => thing);
      if (shared.length) renames.push({ from: r.stack, to: a.stack, names: shared.map((t) => t.words).sort(), held: shared.filter((t) => t.held).length });
    }
  }
  return renames.sort((x, y) => x.to.localeCompare(y.to) || x.from.localeCompare(y.from));
}

/**
 * The notes the renames give each stack, by stack: the added stack's (what it holds of the removed
 * one, and what keeps it), and the removed stack's (where its names go). A removed stack whose names
 * go to two stacks or more is split, not renamed: `pulumi stack rename` cannot split a stack, and
 * the identities are kept only by moving its state into each new stack, as docs/organisation.md
 * describes for a single stack split into platform and team stacks.
 */
export function stackRenameNotes(renames: readonly StackRename[]): Map<string, string[]> {
  const notes = new Map<string, string[]>();
  const add = (stack: string, note: string) => notes.set(stack, [...(notes.get(stack) ?? []), note]);
  const targets = new Map<string, string[]>();
  for (const r of renames) targets.set(r.from, [...(targets.get(r.from) ?? []), r.to]);
  for (const r of renames) {
    const shown = r.names.length > 5 ? `${r.names.slice(0, 5).join("; ")}; and ${r.names.length - 5} more` : r.names.join("; ");
    const otherwise = r.held
      ? `${r.from} keeps them until it is destroyed, and this stack's first pulumi up fails at ${r.held === 1 ? "the one" : `the first of the ${r.held}`} a cloud holds once`
      : `${r.from} keeps them until it is destroyed, and this stack creates new apps beside them (new client ids)`;
    const split = targets.get(r.from)!;
    const keep =
      split.length > 1
        ? `${r.from}'s names go to ${split.length} stacks (${split.join(", ")}): a split, which keeps the identities only by moving ${r.from}'s state into each of them before their first pulumi up (docs/organisation.md, section Moving a single-stack organisation to this layout without replacing identities), not by pulumi stack rename`
        : `if this stack is ${r.from} renamed, rename it before its first pulumi up (select ${r.from}, then pulumi stack rename ${r.to}: Pulumi rewrites the stack name in every URN of the state, so every identity is kept)`;
    add(r.to, `${r.names.length} of its names are held by stack ${r.from}, whose stack file this pull request removes (${shown}): ${keep}; if not, ${otherwise}`);
  }
  for (const [from, to] of targets) {
    add(
      from,
      to.length > 1
        ? `stacks ${to.join(", ")}, which this pull request adds, hold its names: a split; move this stack's state into them (docs/organisation.md, section Moving a single-stack organisation to this layout without replacing identities) rather than destroy it, and every identity is kept`
        : `stack ${to[0]}, which this pull request adds, holds ${renames.find((r) => r.from === from)!.names.length} of its names: if it is this stack renamed, rename the stack (pulumi stack rename ${to[0]}) rather than destroy it, and every identity is kept`,
    );
  }
  return notes;
}
