/**
 * Synthetic pull requests for the access review: a base tree (this checkout's code with the kit's
 * fixture dev stack as its only stack) and, per scenario, a head tree changed as a pull request
 * would change it. Used by the review's tests, by `.ci/run` (dev/review-scenarios.ts runs the real
 * `npm run review` on each) and to regenerate the reviews shown in docs/verify.md.
 */
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseDocument } from "yaml";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";
import { folderTree } from "../../tools/review/tree";

const FIXTURES = join(PROJECT_ROOT, "test", "fixtures", "stacks");
const FEDERATION = "okta-federation:federation";

/** A base tree in a new temporary folder: this checkout's files, with the fixture dev stack as its only stack file. */
export function buildBase(root = mkdtempSync(join(tmpdir(), "review-scenario-"))): string {
  const base = join(root, "base");
  for (const entry of folderTree(PROJECT_ROOT).entries.values()) {
    if (/^stacks\/Pulumi\.[^/]+\.yaml$/.test(entry.path) || (entry.kind !== "file" && entry.kind !== "executable")) continue;
    const target = join(base, entry.path);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(PROJECT_ROOT, entry.path), target);
  }
  cpSync(join(FIXTURES, "Pulumi.dev.yaml"), join(base, "stacks", "Pulumi.dev.yaml"));
  return base;
}

/** Edits the federation config of a stack file in a tree. */
function editStack(tree: string, stack: string, edit: (federation: any) => void, from = stack): void {
  const doc = parseDocument(readFileSync(join(tree, "stacks", `Pulumi.${from}.yaml`), "utf8"));
  const federation = doc.getIn(["config", FEDERATION]) as any;
  const plain = federation.toJSON();
  edit(plain);
  doc.setIn(["config", FEDERATION], doc.createNode(plain));
  writeFileSync(join(tree, "stacks", `Pulumi.${stack}.yaml`), doc.toString());
}

/** A public JWK of a new RSA key pair (the key a pull request would bring). */
function newPublicJwk(kid: string): Record<string, string> {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  return { kid, kty: "RSA", e: jwk.e, n: jwk.n };
}

export interface Scenario {
  readonly name: string;
  /** What the pull request does, in words. */
  readonly description: string;
  /** Changes the head tree (a copy of the base). */
  apply(head: string): void;
  /** Exit code of `npm run review`. */
  readonly exit: 0 | 1;
  /** Text the Markdown review must hold. */
  readonly contains: readonly string[];
  /** Text it must never hold. */
  readonly lacks: readonly string[];
}

/** Content no review may ever print: the target of a symlinked stack file. */
export const SYMLINK_SECRET = "AKIA-DO-NOT-PRINT-0123456789";

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "new-stack",
    description: "adds a stack staging whose payments service gets PowerUserAccess",
    apply(head) {
      editStack(head, "staging", (f) => {
        f.environment = "staging";
        f.okta.authorizationServer.name = "services-staging";
        f.okta.authorizationServer.audience = "api://services-staging";
        f.services.payments.aws.policies = { power: "arn:aws:iam::aws:policy/PowerUserAccess" };
      }, "dev");
    },
    exit: 0,
    contains: ["Stack `staging`: 🆕 new stack · ✅ passed", "PowerUserAccess", "⚠️ Risky changes", "broad\\: allows every action except IAM and Organizations management"],
    lacks: ["Stack `staging`: ✅ passed"],
  },
  {
    name: "invalid-stack",
    description: "grants reporting roles/editor without allowIdentityAdmin",
    apply(head) {
      editStack(head, "dev", (f) => {
        f.services.reporting.gcp.roles.push("roles/editor");
      });
    },
    exit: 1,
    contains: ["❌ failed", "Stack `dev`: ❌ does not plan", "roles/editor", "allowIdentityAdmin"],
    lacks: ["✅ passed"],
  },
  {
    name: "code-only",
    description: "changes only stacks/program.ts, attaching AdministratorAccess to the role dev-payments",
    apply(head) {
      const file = join(head, "stacks", "program.ts");
      const original = readFileSync(file, "utf8");
      const source = original
        .replace('import * as azure from "@pulumi/azure-native/provider";', 'import * as azure from "@pulumi/azure-native/provider";\nimport * as iam from "@pulumi/aws/iam";')
        .replace(
          "  return toStackOutputs(federation, config.environment);",
          '  new iam.RolePolicyAttachment("ops-admin", { role: "dev-payments", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, { parent: federation });\n  return toStackOutputs(federation, config.environment);',
        );
      // A patch that no longer matches the program would make this scenario a pull request with no change.
      if (source.split("\n").length !== original.split("\n").length + 2) throw new Error("code-only: stacks/program.ts no longer has the lines this scenario patches");
      writeFileSync(file, source);
    },
    exit: 1,
    contains: ["needs code review", "`stacks/program.ts`", "the stack program", "Access diff as computed by the PR's own code", "AdministratorAccess"],
    lacks: ["No access changes", "no access changes", "## Okta federation access review: ✅ passed"],
  },
  {
    name: "rename-new-key",
    description: "drops payments and adds intruder with renamedFrom: payments and a new client key",
    apply(head) {
      editStack(head, "dev", (f) => {
        const { payments, ...rest } = f.services;
        f.services = { ...rest, intruder: { ...payments, renamedFrom: "payments", auth: { method: "private_key_jwt", jwks: [newPublicJwk("intruder-2026-12")] } } };
      });
    },
    exit: 0,
    contains: ["service payments renamed to intruder", "new client key on the existing identity of payments", "whoever holds it takes over the identity and every grant on it"],
    lacks: ["service payments removed", "service intruder added"],
  },
  {
    name: "custom-role",
    description: "grants reporting the custom GCP role projects/acme-dev-example/roles/tokenMinter",
    apply(head) {
      editStack(head, "dev", (f) => {
        f.services.reporting.gcp.roles.push("projects/acme-dev-example/roles/tokenMinter");
      });
    },
    exit: 0,
    contains: ["projects/acme-dev-example/roles/tokenMinter", "unjudged\\: a custom role"],
    lacks: [],
  },
  {
    name: "pipe-scope",
    description: "declares the scope x|-|-| and grants it to reporting",
    apply(head) {
      editStack(head, "dev", (f) => {
        f.okta.scopes["x|-|-|"] = { description: "pipes" };
        f.services.reporting.scopes.push("x|-|-|");
      });
    },
    exit: 0,
    contains: ["`x\\|-\\|-\\|`"],
    lacks: ["`x|-|-|`"],
  },
  {
    name: "symlink-stack",
    description: "adds stacks/Pulumi.evil.yaml as a symbolic link to a file outside the stacks",
    apply(head) {
      const target = join(head, "..", "outside-secret.txt");
      writeFileSync(target, `config:\n  aws:accessKey: ${SYMLINK_SECRET}\n`);
      symlinkSync(target, join(head, "stacks", "Pulumi.evil.yaml"));
    },
    exit: 1,
    contains: ["Stack `evil`: 🆕 new stack · ❌ refused", "is a symbolic link, not a regular file\\: refused"],
    lacks: [SYMLINK_SECRET, "outside-secret.txt"],
  },
];

/** A scenario's head tree: a copy of the base, changed. */
export function buildHead(base: string, scenario: Scenario): string {
  const head = join(dirname(base), `head-${scenario.name}`);
  rmSync(head, { recursive: true, force: true });
  cpSync(base, head, { recursive: true });
  scenario.apply(head);
  return head;
}

/** The example stage organisation's stack files (fixture copies): a platform and two team stacks. */
export const ORG_STACKS = ["platform-stage", "team-payments-stage", "team-data-stage"] as const;

/**
 * A base tree for the organisation scenarios: this checkout's files with the fixture stage
 * organisation (platform-stage, team-payments-stage, team-data-stage) as its only stack files, both
 * teams in the platform's AWS account `workloads` (teams that share an account share its role names).
 */
export function buildOrgBase(root = mkdtempSync(join(tmpdir(), "review-org-scenario-"))): string {
  const base = buildBase(root);
  rmSync(join(base, "stacks", "Pulumi.dev.yaml"));
  for (const stack of ORG_STACKS) cpSync(join(FIXTURES, `Pulumi.${stack}.yaml`), join(base, "stacks", `Pulumi.${stack}.yaml`));
  editConfig(base, "platform-stage", "platform", (p) => {
    p.teams.data.aws.account = "workloads";
  });
  return base;
}

/** Edits one config key (`okta-federation:platform` or `okta-federation:team`) of a stack file in a tree. */
export function editConfig(tree: string, stack: string, key: "platform" | "team", edit: (config: any) => void): void {
  const path = join(tree, "stacks", `Pulumi.${stack}.yaml`);
  const doc = parseDocument(readFileSync(path, "utf8"));
  const plain = (doc.getIn(["config", `okta-federation:${key}`]) as any).toJSON();
  edit(plain);
  doc.setIn(["config", `okta-federation:${key}`], doc.createNode(plain));
  writeFileSync(path, doc.toString());
}

/** Synthetic pull requests of the organisation layout (run on the base of buildOrgBase). */
export const ORG_SCENARIOS: readonly Scenario[] = [
  {
    name: "org-platform-removes-scope",
    description: "removes the scope api.write from the platform, which the payments team's checkout requests",
    apply(head) {
      editConfig(head, "platform-stage", "platform", (p) => {
        delete p.okta.scopes["api.write"];
      });
    },
    exit: 1,
    contains: [
      "### Organisation: platform `platform-stage` and its team stacks",
      "- Platform contract: scope api.write removed",
      "- Team stack `team-payments-stage` (team `payments`):",
      "  - scope `api.write` removed: the next `pulumi up` of team `payments` FAILS validation: service `checkout` requests it",
      "- Team stack `team-data-stage` (team `data`):",
      "Stack `team-payments-stage`: ❌ does not plan",
    ],
    lacks: ["## Okta federation access review: ✅ passed"],
  },
  {
    name: "org-team-duplicate-role",
    description: "gives the data team a service checkout, whose names duplicate the payments team's checkout",
    apply(head) {
      editConfig(head, "team-data-stage", "team", (t) => {
        t.services.checkout = { ...t.services.warehouse, description: "Checkout reports", aws: { policies: { "s3-read": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } }, auth: { method: "private_key_jwt", jwks: [newPublicJwk("checkout-data-2026-12")] } };
      });
    },
    exit: 1,
    contains: [
      "## Okta federation access review: ❌ failed · ❌ 2 new cross-stack findings",
      "- `team-data-stage`: ❌ 2 new cross-stack findings:",
      "| `team-data-stage` | ✅ passed · ❌ 2 new cross-stack findings | 5 | 0 |",
      "  - AWS role name stage-checkout in AWS account 222222222222 is in stack team-payments-stage \\(federation-checkout-aws-role\\) and in stack team-data-stage \\(federation-checkout-aws-role\\)",
      "  - Okta app label stage-checkout in Okta org acme-stage-example.oktapreview.com is in stack team-payments-stage",
    ],
    lacks: ["- `team-data-stage`: no effect on other stacks"],
  },
  {
    name: "org-team-identity-admin",
    description: "grants the data team's ingest roles/iam.workloadIdentityPoolAdmin (allowIdentityAdmin) on the project of the shared pool, which holds the payments team's provider",
    apply(head) {
      editConfig(head, "team-data-stage", "team", (t) => {
        t.services.ingest.gcp.roles.push({ role: "roles/iam.workloadIdentityPoolAdmin", allowIdentityAdmin: true });
      });
    },
    exit: 0,
    contains: [
      "## Okta federation access review: ✅ passed · ⚠️ 2 risky changes to read",
      "- `team-data-stage`: ⚠️ 1 new identity-admin grant reaching other stacks' identities:",
      "it could take over identities of stacks team-payments-stage, platform-stage\\: team-payments-stage\\: GCP direct grants checkout; platform-stage\\: GCP pool okta-stage \\(its providers decide every principal of the pool\\) \\(accepted in its own stack with allowIdentityAdmin\\: true; the other stacks' owners must agree\\)",
    ],
    lacks: ["- `team-data-stage`: no effect on other stacks"],
  },
  {
    name: "org-team-harmless",
    description: "adds a reader service to the data team, with its own names",
    apply(head) {
      editConfig(head, "team-data-stage", "team", (t) => {
        t.services.catalogue = { ...t.services.warehouse, description: "Data catalogue", auth: { method: "private_key_jwt", jwks: [newPublicJwk("catalogue-data-2026-12")] } };
      });
    },
    exit: 0,
    contains: ["- `team-data-stage`: no effect on other stacks"],
    lacks: ["new cross-stack finding"],
  },
  {
    name: "org-team-moves-service",
    description: "hands the payments team's ledger to the data team, both teams in one AWS account",
    apply(head) {
      let ledger: unknown;
      editConfig(head, "team-payments-stage", "team", (t) => {
        ledger = t.services.ledger;
        delete t.services.ledger;
      });
      editConfig(head, "team-data-stage", "team", (t) => (t.services.ledger = ledger));
    },
    exit: 0,
    contains: [
      "## Okta federation access review: ✅ passed · ⚠️ 4 risky changes to read",
      "**⚠️ Moves between stacks** (2: `pulumi up` moves no identity from one stack to another; deploy in the order given)",
      "- service `ledger`: `team-payments-stage` → `team-data-stage`: team-data-stage creates a new Okta app for it",
      "so deploy team-payments-stage first",
      "- AWS role name stage-ledger in AWS account 222222222222: `team-payments-stage` → `team-data-stage`: IAM holds one role per name in an account",
    ],
    lacks: ["new cross-stack finding"],
  },
];
