/**
 * The kit's own example stacks, kept under test/fixtures/stacks. The kit's tests use these, never the
 * files in stacks/: those belong to the user, who edits them per environment (test/stacks/user-stacks.test.ts
 * checks them generically instead).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { loadStackFile, parseStackYaml, type StackConfig } from "../../tools/offline/stackFile";

export const FIXTURE_STACKS_DIR = join(__dirname, "..", "fixtures", "stacks");

/** Path of a fixture stack file: `dev`, `prod` or `multi`. */
export function fixturePath(stack: string): string {
  return join(FIXTURE_STACKS_DIR, `Pulumi.${stack}.yaml`);
}

/** A fixture stack, loaded as the CLI loads a stack file. */
export function fixtureStack(stack: string): StackConfig {
  return loadStackFile(fixturePath(stack));
}

export function fixtureText(stack: string): string {
  return readFileSync(fixturePath(stack), "utf8");
}

/** A stack config built from a modified copy of a fixture stack's federation. */
export function fixtureVariant(stack: string, change: (federation: any) => void): StackConfig {
  const doc = parse(fixtureText(stack));
  change(doc.config["okta-federation:federation"]);
  return parseStackYaml(JSON.stringify(doc), { project: "okta-federation", stack, file: `variant of ${stack}` });
}
