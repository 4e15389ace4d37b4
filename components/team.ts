/**
 * A team stack's read of its platform, shared by the kit's stack program (stacks/organisation.ts)
 * and a user's own program: both take the contract from the same stack output, the same way.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PLATFORM_OUTPUT } from "./platformContract";

/**
 * The platform contract a platform stack exports (stack output `platform`), as plain JSON, read
 * through `reference` (a StackReference to the platform stack). It is not checked here: pass it to
 * parseTeamConfig, which refuses anything but a contract this kit reads.
 */
export async function readPlatformContract(reference: Pick<pulumi.StackReference, "getOutputDetails">): Promise<unknown> {
  return (await reference.getOutputDetails(PLATFORM_OUTPUT)).value;
}
