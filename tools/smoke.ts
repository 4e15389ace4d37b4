/**
 * `npm run smoke -- …`: the workload package's smoke check (`okta-federation smoke`, workload/smoke.ts)
 * run from this repository's sources. Everything it uses ships in the package: no development-only
 * SDK, so the same check runs where the workload runs (`npx okta-federation smoke …`).
 */
import { runCommand, type Io } from "./cli";
import { smokeCommand, type SmokeDeps } from "../workload/smoke";

export type { SmokeDeps };

export function main(argv: readonly string[], io: Io, deps: SmokeDeps = {}): Promise<number> {
  return smokeCommand(argv, io, deps);
}

if (require.main === module) runCommand(main);
