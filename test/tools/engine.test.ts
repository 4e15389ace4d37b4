/**
 * The offline engine (tools/offline/engine.ts) runs a program the way the Pulumi runtime does: under
 * the root stack resource, whose outputs are the program's return value as the SDK serializes it.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { isSecretValue, ProgramError, runOffline } from "../../tools/offline/engine";

const options = { project: "okta-federation", stack: "test", config: {} };

/** `CustomResource` is abstract in the typings only. */
class Thing extends pulumi.CustomResource {
  declare readonly size: pulumi.Output<number>;
  constructor(name: string, size: number, opts?: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, { size }, opts);
  }
}

class Group extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Group", name, {}, opts);
    new Thing(`${name}-thing`, 1, { parent: this });
    this.registerOutputs({});
  }
}

describe("offline engine", () => {
  it("runs the program under the root stack: top-level resources have it as parent, and it is not recorded", async () => {
    let stackType: string | undefined;
    const { resources } = await runOffline(() => {
      stackType = (pulumi.runtime.getStackResource() as unknown as { __pulumiType?: string } | undefined)?.__pulumiType;
      new Group("g");
      return {};
    }, options);
    expect(stackType).toBe("pulumi:pulumi:Stack");
    expect(resources.map((r) => [r.type, r.name, r.parent])).toEqual([
      ["test:index:Group", "g", null],
      ["test:index:Thing", "g-thing", "urn:pulumi:test::okta-federation::test:index:Group::g"],
    ]);
    expect(resources[1]!.urn).toBe("urn:pulumi:test::okta-federation::test:index:Group$test:index:Thing::g-thing");
  });

  it("returns the stack outputs as registered: Outputs resolved, secrets still wrapped", async () => {
    const { outputs } = await runOffline(() => {
      const thing = new Thing("t", 2);
      return { plain: "a", size: thing.size, nested: { list: [pulumi.output("b")] }, hidden: pulumi.secret("s") };
    }, options);
    expect(outputs.plain).toBe("a");
    expect(outputs.size).toBe(2);
    expect(outputs.nested).toEqual({ list: ["b"] });
    expect(isSecretValue(outputs.hidden)).toBe(true);
    expect((outputs.hidden as { value: unknown }).value).toBe("s");
  });

  it("reports the program's own error message, without a stack trace, with what was registered before it", async () => {
    const run = runOffline(() => {
      new Thing("before", 3);
      throw new pulumi.RunError("config: something is wrong; allowed: something else");
    }, options);
    await expect(run).rejects.toBeInstanceOf(ProgramError);
    const error = (await run.catch((e: unknown) => e)) as ProgramError;
    expect(error.message).toBe("config: something is wrong; allowed: something else");
    expect(error.resources.map((r) => r.name)).toEqual(["before"]);
  });
});
