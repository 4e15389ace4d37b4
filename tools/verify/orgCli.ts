/**
 * `npm run verify -- <source> <source> ... [--json | --markdown]`: several sources (`--stack`,
 * `--stack-file`, `--plan`, `--state`, each repeatable and combinable) are verified as one
 * organisation (org.ts). tools/verify.ts hands over here when the command line names more than one
 * source, and loads each one as it loads a single stack.
 */
import { parseArgs } from "node:util";
import type { Io } from "../cli";
import { OrgInputError, verifyOrganisation, type OrgInput } from "./org";
import { orgToJson, orgToMarkdown, orgToText } from "./orgRender";

export const SOURCE_FLAGS = ["stack", "stack-file", "plan", "state"] as const;

/** One source of the organisation, as given on the command line. */
export interface OrgSource {
  readonly flag: (typeof SOURCE_FLAGS)[number];
  readonly value: string;
}

export interface OrgArgs {
  /** In command-line order. */
  readonly sources: readonly OrgSource[];
  readonly json: boolean;
  readonly markdown: boolean;
  readonly base: boolean;
}

/**
 * The organisation's sources, when the command line names more than one; undefined otherwise (and
 * when it does not parse: the single-stack path reports that as it always has).
 */
export function orgArgs(argv: readonly string[]): OrgArgs | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string", short: "s", multiple: true },
        "stack-file": { type: "string", multiple: true },
        plan: { type: "string", multiple: true },
        state: { type: "string", multiple: true },
        json: { type: "boolean" },
        markdown: { type: "boolean" },
        base: { type: "string" },
        "allow-other-stack": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
  } catch {
    return undefined;
  }
  const sources: OrgSource[] = [];
  for (const token of parsed.tokens) {
    if (token.kind === "option" && (SOURCE_FLAGS as readonly string[]).includes(token.name) && token.value !== undefined) {
      sources.push({ flag: token.name as OrgSource["flag"], value: token.value });
    }
  }
  if (sources.length < 2 || parsed.values.help) return undefined;
  const { json, markdown, base, "allow-other-stack": allow } = parsed.values;
  return { sources, json: json === true, markdown: markdown === true, base: base !== undefined || allow === true };
}

/**
 * Verifies the organisation and prints it; `load` reads one source (tools/verify.ts), throwing its
 * own errors for the caller to report. Exit 0 only when every stack passes and nothing crosses.
 */
export async function orgMain(args: OrgArgs, io: Io, usage: string, load: (source: OrgSource) => Promise<OrgInput>): Promise<number> {
  const problem = args.json && args.markdown ? "choose one of --json and --markdown" : args.base ? "--base compares two versions of one stack: give one source with --base" : undefined;
  if (problem) {
    io.stderr(`error: ${problem}\n${usage}\n`);
    return 2;
  }
  const inputs: OrgInput[] = [];
  for (const source of args.sources) inputs.push(await load(source));
  let org;
  try {
    org = await verifyOrganisation(inputs);
  } catch (error) {
    if (!(error instanceof OrgInputError)) throw error;
    io.stderr(`error: ${error.message}\n`);
    return 2;
  }
  const out = args.json ? JSON.stringify(orgToJson(org), null, 2) : args.markdown ? orgToMarkdown(org) : orgToText(org);
  io.stdout(`${out}\n`);
  return org.passed ? 0 : 1;
}
