/**
 * `npm run verify -- --stack <name> | --stack-file <path> | --plan plan.json | --state state.json
 * [--json | --markdown] [--base base-plan.json | base-state.json [--allow-other-stack]]`: proves the
 * trust before deploy, or the trust that is deployed. Runs the offline plan (or reads one written by
 * `plan --json`, or a `pulumi stack export` document with --state), reads the trust from the
 * registered resources, simulates each service's token and checks every cloud target. `--base`
 * takes an offline plan or a stack export, told apart by shape. Several sources (each flag
 * repeatable, in any mix) are verified as one organisation (tools/verify/orgCli.ts, org.ts).
 * Exit codes: 0 passed, 1 findings or invalid config, 2 usage error, unknown stack or unusable base
 * plan or state.
 */
import { InputLimitError, readFileLimited, readJsonFileLimited, readJsonLimited } from "../workload/limitedRead";
import { planToJson } from "./offline/plan";
import { planWithPlatform } from "./offline/orgPlan";
import { withPlatform } from "./verify/layout";
import { loadStackFile } from "./offline/stackFile";
import { accessDiff } from "./verify/diff";
import { lifecycleChanges } from "./verify/lifecycle";
import { followRenames } from "./verify/renames";
import { extractModel, type PlanDocument } from "./verify/model";
import { toJson, toMarkdown, toText } from "./verify/render";
import { verifyModel } from "./verify/verify";
import { isStateExport, MAKE_STATE, pendingOperations, resolvePlaceholders, StateExportError, stateToPlan } from "./verify/state";
import { parseFlags, reportUserError, runCommand, type Io } from "./cli";
import { orgArgs, orgMain, type OrgSource } from "./verify/orgCli";
import type { OrgInput } from "./verify/org";

const USAGE =
  "usage: npm run verify -- --stack <name> | --stack-file <path> | --plan plan.json | --state state.json [--json | --markdown] [--base base-plan.json | base-state.json [--allow-other-stack]]\n" +
  "       npm run verify -- <source> <source>... [--json | --markdown]   (several of --stack, --stack-file, --plan, --state: one proof over the organisation)";
const PLAN_KIND = "okta-federation/offline-plan";
const MAKE_BASE = (stack: string | undefined, file = "base-plan.json") => `npm run -s plan -- --stack ${stack ?? "<name>"} --json > ${file}`;

/** What a file beyond the input limits (components/internal/inputLimits.ts) is not. */
const STATE_EXPECTED = "a Pulumi stack export";
const BASE_EXPECTED = "an offline plan or a Pulumi stack export";

/** How a team's platform was planned for --stack and --stack-file (tools/offline/orgPlan.ts). */
const BESIDE = "planned from the stack file beside the team's";

/** A base plan that cannot be used: one line for the user, exit code 2. */
export class BasePlanError extends Error {}

/**
 * Reads a base plan for the access diff, refusing anything that is not an offline plan of this
 * stack (another stack only with `allowOtherStack`, then with a warning).
 */
export function readBasePlan(path: string, stack: string | undefined, allowOtherStack: boolean, io: Io, what = "base plan"): PlanDocument {
  return checkBasePlan(readPlanText(path, what), path, stack, allowOtherStack, io, what);
}

/** A plan file's text and its JSON (undefined when it is not JSON), read and parsed once. */
interface PlanText {
  readonly text: string;
  readonly doc: unknown;
  readonly parseError?: InputLimitError;
}

function readPlanText(path: string, what: string): PlanText {
  // A base may be an export too (readBase): say so when it is refused for its size.
  const expected = what === "base plan" ? BASE_EXPECTED : "an offline plan";
  let text: string;
  try {
    text = readFileLimited(path, `${what} ${path}`, expected);
  } catch (error) {
    if (error instanceof InputLimitError) throw new BasePlanError(error.message);
    throw new BasePlanError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return { text, doc: readJsonLimited(text, `${what} ${path}`, expected) };
  } catch (error) {
    return { text, doc: undefined, ...(error instanceof InputLimitError ? { parseError: error } : {}) };
  }
}

/** An offline plan of this stack (another stack only with `allowOtherStack`), from its text and JSON. */
function checkBasePlan(read: PlanText, path: string, stack: string | undefined, allowOtherStack: boolean, io: Io, what: string): PlanDocument {
  const make = (s: string | undefined) => MAKE_BASE(s, what === "base plan" ? "base-plan.json" : "plan.json");
  const trimmed = read.text.trimStart();
  if (/^> /.test(trimmed)) {
    throw new BasePlanError(`${what} ${path} starts with npm's banner ("${trimmed.split("\n")[0]}"), not JSON: write it with -s, e.g. ${make(stack)}`);
  }
  if (read.parseError) throw new BasePlanError(read.parseError.message);
  if (read.doc === undefined) throw new BasePlanError(`${what} ${path} is not JSON: write it with ${make(stack)}`);
  const doc = read.doc;
  const record = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  if (record.kind === "okta-federation/verify") {
    throw new BasePlanError(`${what} ${path} is verify's output, not a plan: write the base with ${make(stack)}`);
  }
  if (record.kind !== PLAN_KIND || !Array.isArray(record.resources) || typeof record.stack !== "string") {
    throw new BasePlanError(`${what} ${path} is not an offline plan (kind ${PLAN_KIND} with stack and resources): write it with ${make(stack)}`);
  }
  if (stack !== undefined && record.stack !== stack) {
    if (!allowOtherStack) throw new BasePlanError(`base plan ${path} is a plan of stack ${record.stack}, not ${stack}; pass --allow-other-stack to compare them anyway`);
    io.stderr(`warning: comparing stack ${stack} with a base plan of stack ${record.stack} (--allow-other-stack)\n`);
  }
  return doc as PlanDocument;
}

/** A plan given with --plan, read and parsed once: an export is refused with the flag to use. */
function readPlanSource(path: string, io: Io): PlanDocument {
  const read = readPlanText(path, "plan");
  if (isStateExport(read.doc)) throw new StateExportError(`plan ${path} is a Pulumi stack export, not an offline plan: pass it with --state`);
  return checkBasePlan(read, path, undefined, false, io, "plan");
}

/**
 * Reads a `pulumi stack export` document (`what`: "state" or "base state") as the plan document
 * the model reads; warns when the export lists pending operations of an interrupted update.
 */
export function readState(path: string, io: Io, what = "state"): PlanDocument {
  let text: string;
  try {
    text = readFileLimited(path, `${what} ${path}`, STATE_EXPECTED);
  } catch (error) {
    if (error instanceof InputLimitError) throw new StateExportError(error.message);
    throw new StateExportError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = readJsonLimited(text, `${what} ${path}`, STATE_EXPECTED);
  } catch (error) {
    if (error instanceof InputLimitError) throw new StateExportError(error.message);
    throw new StateExportError(`${what} ${path} is not JSON: write it with ${MAKE_STATE}`);
  }
  return fromExport(doc, path, io, what);
}

function fromExport(doc: unknown, path: string, io: Io, what: string): PlanDocument {
  const plan = stateToPlan(doc, `${what} ${path}`);
  const pending = pendingOperations(doc);
  if (pending.length) {
    io.stderr(`warning: ${what} ${path} lists pending operations of an interrupted update (${pending.join(", ")}): their resources are verified as last recorded; run pulumi refresh and export again\n`);
  }
  return plan;
}

/**
 * A file's JSON, or undefined when it cannot be read or parsed or is beyond the input limits (the
 * plan reader then says which, as before).
 */
function readJson(path: string): unknown {
  try {
    return readJsonFileLimited(path, path, BASE_EXPECTED);
  } catch {
    return undefined;
  }
}

/**
 * The base of the access diff: an offline plan (readBasePlan, its messages unchanged) or a stack
 * export, told apart by shape (`deployment.resources` for an export). Another stack only with
 * `allowOtherStack`, then with a warning.
 */
export function readBase(path: string, stack: string | undefined, allowOtherStack: boolean, io: Io): { plan: PlanDocument; state: boolean } {
  const doc = readJson(path);
  if (!isStateExport(doc)) return { plan: readBasePlan(path, stack, allowOtherStack, io), state: false };
  const plan = fromExport(doc, path, io, "base state");
  if (stack !== undefined && plan.stack !== stack) {
    if (!allowOtherStack) throw new StateExportError(`base state ${path} is an export of stack ${plan.stack}, not ${stack}; pass --allow-other-stack to compare them anyway`);
    io.stderr(`warning: comparing stack ${stack} with the state of stack ${plan.stack} (--allow-other-stack)\n`);
  }
  return { plan, state: true };
}

/**
 * The model of a document; a state or a plan file that is no federation is the user's file, not a
 * bug: one line, exit 2. A plan the command made itself is the kit's: its error is a bug.
 */
function modelOf(plan: PlanDocument, file: { readonly label: string; readonly state: boolean } | undefined) {
  if (file === undefined) return extractModel(plan);
  try {
    return extractModel(plan);
  } catch (error) {
    const message = `${file.label} cannot be read as a federation: ${(error as Error).message}`;
    throw file.state ? new StateExportError(message) : new BasePlanError(message);
  }
}

/** One source of an organisation proof, read as the single-stack path reads it (and checked to be a federation). */
async function loadOrgSource(source: OrgSource, io: Io): Promise<OrgInput> {
  if (source.flag === "state") {
    const plan = readState(source.value, io);
    modelOf(plan, { label: `state ${source.value}`, state: true });
    return { source: `state ${source.value}`, plan, state: true };
  }
  if (source.flag === "plan") {
    const plan = readPlanSource(source.value, io);
    modelOf(plan, { label: `plan ${source.value}`, state: false });
    return { source: `plan ${source.value}`, plan };
  }
  const loaded = source.flag === "stack-file" ? loadStackFile(source.value) : source.value;
  const planned = await planWithPlatform(loaded);
  const plan = planToJson(planned.plan) as unknown as PlanDocument;
  const platform = planned.platform ? (planToJson(planned.platform) as unknown as PlanDocument) : undefined;
  return { source: source.flag === "stack-file" ? `stack file ${source.value}` : `stack ${source.value}`, plan, ...(platform ? { platform } : {}) };
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  // Several sources: one proof over the organisation (tools/verify/orgCli.ts).
  const org = orgArgs(argv);
  if (org) {
    let current: string | undefined;
    try {
      return await orgMain(org, io, USAGE, (source) => {
        current = source.value;
        return loadOrgSource(source, io);
      });
    } catch (error) {
      if (error instanceof BasePlanError || error instanceof StateExportError) {
        io.stderr(`error: ${error.message}\n`);
        return 2;
      }
      const code = reportUserError(error, current, io);
      if (code === undefined) throw error;
      return code;
    }
  }
  const parsed = parseFlags<{ stack?: string; "stack-file"?: string; plan?: string; state?: string; json?: boolean; markdown?: boolean; base?: string; "allow-other-stack"?: boolean }>(
    argv,
    {
      stack: { type: "string", short: "s" },
      "stack-file": { type: "string" },
      plan: { type: "string" },
      state: { type: "string" },
      json: { type: "boolean" },
      markdown: { type: "boolean" },
      base: { type: "string" },
      "allow-other-stack": { type: "boolean" },
    },
    USAGE,
    io,
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const sources = [values.stack, values["stack-file"], values.plan, values.state].filter((v) => v !== undefined).length;
  const problem =
    sources === 0
      ? "--stack is required"
      : sources > 1
        ? "choose one of --stack, --stack-file, --plan and --state (or give several for one proof over the organisation)"
        : values.json && values.markdown
          ? "choose one of --json and --markdown"
          : values["allow-other-stack"] && !values.base
            ? "--allow-other-stack applies to --base only"
            : undefined;
  if (problem) {
    io.stderr(`error: ${problem}\n${USAGE}\n`);
    return 2;
  }
  let stack = values.stack;
  try {
    let plan: PlanDocument;
    // A team stack's platform, planned beside it (--stack, --stack-file); else its contract (layout.ts).
    let platform: PlanDocument | undefined;
    if (values.state !== undefined) {
      // What is deployed: a `pulumi stack export` document (tools/verify/state.ts).
      plan = readState(values.state, io);
      stack = plan.stack;
    } else if (values.plan !== undefined) {
      // A plan written earlier (plan --json): the proof alone, without planning again.
      plan = readPlanSource(values.plan, io);
      stack = plan.stack;
    } else {
      const loaded = values["stack-file"] !== undefined ? loadStackFile(values["stack-file"]) : values.stack!;
      stack = typeof loaded === "string" ? loaded : loaded.stack;
      const planned = await planWithPlatform(loaded);
      plan = planToJson(planned.plan) as unknown as PlanDocument;
      platform = planned.platform ? (planToJson(planned.platform) as unknown as PlanDocument) : undefined;
    }
    const headState = values.state !== undefined ? `state ${values.state}` : undefined;
    const base = values.base ? readBase(values.base, plan.stack, Boolean(values["allow-other-stack"]), io) : undefined;
    // A plan compared with a state: the plan's placeholders take the deployed values, so that only
    // what the program changes shows as a change.
    if (base && base.state && !headState) plan = resolvePlaceholders(plan, base.plan);
    if (base && !base.state && headState) base.plan = resolvePlaceholders(base.plan, plan);
    // A service kept under a new key (renamedFrom) is matched with its former resources through the
    // aliases the plan records, its placeholders written as the base's (renames.ts).
    const followed = base ? followRenames(plan, base.plan) : undefined;
    if (followed) plan = followed.plan;
    // A team stack is verified with its platform's shared objects (server scopes and claims, OIDC providers, pool).
    const model = modelOf(withPlatform(plan, platform, BESIDE), headState ? { label: headState, state: true } : values.plan !== undefined ? { label: `plan ${values.plan}`, state: false } : undefined);
    const result = await verifyModel(model);
    let changes;
    let lifecycle;
    if (base) {
      let baseModel;
      try {
        baseModel = extractModel(withPlatform(base.plan, platform, BESIDE));
      } catch (error) {
        const message = `${base.state ? "base state" : "base plan"} ${values.base} cannot be read as a federation: ${(error as Error).message}`;
        throw base.state ? new StateExportError(message) : new BasePlanError(message);
      }
      changes = accessDiff({ model: baseModel, result: await verifyModel(baseModel) }, { model, result }, followed?.renamed);
      lifecycle = lifecycleChanges(base.plan, plan);
    }
    const source = { head: headState ? ("state" as const) : ("plan" as const), base: base?.state ? ("state" as const) : ("plan" as const) };
    const out = values.json
      ? JSON.stringify(toJson(result, changes, lifecycle), null, 2)
      : values.markdown
        ? toMarkdown(result, changes, { source, ...(lifecycle ? { lifecycle } : {}) })
        : toText(result, changes, source, lifecycle);
    io.stdout(`${out}\n`);
    return result.passed ? 0 : 1;
  } catch (error) {
    if (error instanceof BasePlanError || error instanceof StateExportError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    const code = reportUserError(error, stack, io);
    if (code === undefined) throw error;
    return code;
  }
}

// Run only as a program (tsx tools/verify.ts), not when imported (tests run main in-process).
if (require.main === module) runCommand(main);
