/**
 * The component provider as the engine runs it: Pulumi's ComponentProvider over the classes
 * index.ts exports, named after provider/package.json, exactly as `@pulumi/pulumi/cmd/run-plugin`
 * builds it when PulumiPlugin.yaml's plugin starts. `getSchema()` answers the engine's GetSchema
 * (the analyzer reads index.ts's sources and their TSDoc); `construct()` answers Construct.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as components from "./index";
import { PACKAGE_NAME } from "./tokens";

/** provider/, where package.json (name, version, description), tsconfig.json and index.ts are. */
export const PROVIDER_DIR = __dirname;

export function componentProvider(): ComponentProvider {
  const manifest = JSON.parse(readFileSync(join(PROVIDER_DIR, "package.json"), "utf8")) as { name: string };
  if (manifest.name !== PACKAGE_NAME) throw new Error(`provider/package.json is named ${manifest.name}, the type tokens use ${PACKAGE_NAME}`);
  return new ComponentProvider({ components: getPulumiComponents(components), dirname: PROVIDER_DIR, name: PACKAGE_NAME });
}

let shared: ComponentProvider | undefined;

/**
 * One provider for this process: the analyzer (a TypeScript program over provider/ and the kit's
 * components, some seconds) then runs once, as in the plugin, which answers every call with one provider.
 */
export function sharedComponentProvider(): ComponentProvider {
  return (shared ??= componentProvider());
}

/** The package schema as GetSchema returns it, parsed. */
export async function packageSchema(): Promise<PackageSchema> {
  return JSON.parse(await sharedComponentProvider().getSchema()) as PackageSchema;
}

/** The parts of a Pulumi package schema the kit reads (pulumi.com/docs/iac/extending-pulumi/schema). */
export interface PackageSchema {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly resources: Readonly<Record<string, SchemaResource>>;
  readonly types: Readonly<Record<string, { readonly type: string; readonly properties?: Readonly<Record<string, SchemaProperty>>; readonly required?: readonly string[] }>>;
}

export interface SchemaResource {
  readonly isComponent?: boolean;
  readonly description?: string;
  readonly inputProperties: Readonly<Record<string, SchemaProperty>>;
  readonly requiredInputs: readonly string[];
  readonly properties: Readonly<Record<string, SchemaProperty>>;
  readonly required: readonly string[];
}

export interface SchemaProperty {
  readonly type?: string;
  readonly $ref?: string;
  readonly description?: string;
  readonly plain?: boolean;
  readonly items?: SchemaProperty;
  readonly additionalProperties?: SchemaProperty;
}
