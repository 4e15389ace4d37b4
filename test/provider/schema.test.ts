/**
 * GetSchema, as the engine asks for it, and the examples for the other languages checked against
 * it: the YAML program's types and properties, the Python program's input types and keywords.
 * (Neither program runs here: there is no Pulumi CLI.)
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageSchema, type PackageSchema, type SchemaProperty } from "../../provider/provider";

const ROOT = join(__dirname, "..", "..");
const FEDERATION = "okta-federation:index:Federation";

let schema: PackageSchema;
beforeAll(async () => {
  schema = await packageSchema();
});

/** The object type a property refers to (`#/types/<token>`), if any. */
function typeOf(property: SchemaProperty | undefined): string | undefined {
  const ref = property?.$ref ?? property?.additionalProperties?.$ref ?? property?.items?.$ref;
  return ref?.startsWith("#/types/") ? ref.slice("#/types/".length) : undefined;
}

/** Every property of every component's inputs and of every type, with its owner: `owner.property`. */
function allProperties(s: PackageSchema): [string, SchemaProperty][] {
  return [
    ...Object.entries(s.resources).flatMap(([token, r]) => Object.entries(r.inputProperties).map(([p, v]) => [`${token} input ${p}`, v] as [string, SchemaProperty])),
    ...Object.entries(s.resources).flatMap(([token, r]) => Object.entries(r.properties).map(([p, v]) => [`${token} output ${p}`, v] as [string, SchemaProperty])),
    ...Object.entries(s.types).flatMap(([token, t]) => Object.entries(t.properties ?? {}).map(([p, v]) => [`${token}.${p}`, v] as [string, SchemaProperty])),
  ];
}

describe("GetSchema", () => {
  it("names the package okta-federation, with the version and description of provider/package.json", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "provider", "package.json"), "utf8"));
    expect(schema.name).toBe("okta-federation");
    expect(schema.version).toBe(manifest.version);
    expect(schema.description).toBe(manifest.description);
  });

  it("has Federation and seven more components, every one a component under okta-federation:index", () => {
    expect(Object.keys(schema.resources).sort()).toEqual(
      ["AuthorizationServer", "Federation", "OidcProvider", "ServiceAccess", "ServiceApp", "ServiceIdentity", "ServiceRole", "WorkloadIdentityPool"].map((t) => `okta-federation:index:${t}`),
    );
    for (const resource of Object.values(schema.resources)) {
      expect(resource.isComponent).toBe(true);
      expect(resource.description).toEqual(expect.any(String));
    }
  });

  it("describes Federation's inputs: the federation config as typed inputs, every property described", () => {
    const federation = schema.resources[FEDERATION]!;
    expect(Object.keys(federation.inputProperties)).toEqual(["environment", "protect", "okta", "aws", "gcp", "azure", "services", "tokenHookAuthorization", "appLabels"]);
    expect(federation.requiredInputs).toEqual(["environment", "okta", "services"]);
    // The config is plain (it is validated and shapes the names before anything is registered); the hook's value may be an Output (a secret).
    expect(federation.inputProperties.okta).toMatchObject({ $ref: "#/types/okta-federation:index:OktaSettings", plain: true });
    expect(federation.inputProperties.services).toMatchObject({ type: "object", additionalProperties: { $ref: "#/types/okta-federation:index:ServiceSettings" }, plain: true });
    expect(federation.inputProperties.tokenHookAuthorization!.plain).toBeUndefined();
    expect(Object.keys(schema.types["okta-federation:index:ServiceSettings"]!.properties!)).toEqual(["description", "renamedFrom", "scopes", "tokenLifetimeMinutes", "tokenHook", "auth", "aws", "gcp", "azure"]);
    expect(schema.types["okta-federation:index:AwsServiceSettings"]!.properties!.policies).toMatchObject({ additionalProperties: { $ref: "#/types/okta-federation:index:ManagedPolicySettings" } });
    expect(Object.keys(federation.properties).sort()).toEqual(["audience", "authorizationServerId", "awsOidcProviderArn", "clientSecrets", "gcpPoolName", "issuerUrl", "scopes", "services"]);
    expect(federation.required).toEqual(["audience", "authorizationServerId", "clientSecrets", "issuerUrl", "scopes", "services"]);
  });

  it("describes every input, output and type property, and every reference resolves", () => {
    const properties = allProperties(schema);
    expect(properties.length).toBeGreaterThan(150);
    expect(properties.filter(([, p]) => !p.description).map(([name]) => name)).toEqual([]);
    const dangling = properties.map(([name, p]) => [name, typeOf(p)] as const).filter(([, t]) => t !== undefined && schema.types[t] === undefined);
    expect(dangling).toEqual([]);
  });

  it("takes the wiring between components as inputs (Output-capable), e.g. a ServiceRole's provider ARN and client id", () => {
    const role = schema.resources["okta-federation:index:ServiceRole"]!.inputProperties;
    for (const name of ["oidcProviderArn", "issuerUrl", "audience", "clientId"]) expect(role[name]).toMatchObject({ type: "string" });
    for (const name of ["oidcProviderArn", "issuerUrl", "audience", "clientId"]) expect(role[name]!.plain).toBeUndefined();
    expect(schema.resources["okta-federation:index:OidcProvider"]!.properties.providerArn).toMatchObject({ type: "string" });
  });

  it("is what npm run schema prints", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "provider", "schema.ts")], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(JSON.stringify(schema)));
  });
});

/** Walks a value against a schema property: the paths of the value that the schema does not have. */
function unknownPaths(value: unknown, property: SchemaProperty, path: string): string[] {
  if (typeof value === "string" && value.startsWith("${")) return [];
  const type = property.$ref ? property.$ref.slice("#/types/".length) : undefined;
  if (type !== undefined) {
    const properties = schema.types[type]?.properties;
    if (!properties) return [`${path}: no type ${type}`];
    return objectPaths(value, properties, path);
  }
  if (property.type === "array") return Array.isArray(value) ? value.flatMap((v, i) => unknownPaths(v, property.items!, `${path}[${i}]`)) : [`${path}: not a list`];
  if (property.type === "object" && property.additionalProperties) {
    return typeof value === "object" && value !== null ? Object.entries(value).flatMap(([k, v]) => unknownPaths(v, property.additionalProperties!, `${path}.${k}`)) : [`${path}: not a map`];
  }
  const actual = typeof value;
  const expected = property.type === "integer" ? "number" : property.type;
  return actual === expected ? [] : [`${path}: ${actual}, the schema says ${property.type}`];
}

function objectPaths(value: unknown, properties: Readonly<Record<string, SchemaProperty>>, path: string): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: not an object`];
  return Object.entries(value).flatMap(([k, v]) => (properties[k] ? unknownPaths(v, properties[k]!, `${path}.${k}`) : [`${path}.${k}: not in the schema`]));
}

describe("examples/yaml", () => {
  const program = parse(readFileSync(join(ROOT, "examples", "yaml", "Pulumi.yaml"), "utf8"));

  it("adds this package by path and uses its Federation", () => {
    expect(program.runtime).toBe("yaml");
    expect(program.packages).toEqual({ "okta-federation": "../.." });
    const ours = Object.entries(program.resources as Record<string, { type: string }>).filter(([, r]) => r.type.startsWith("okta-federation:"));
    expect(ours.map(([name, r]) => `${name}: ${r.type}`)).toEqual([`federation: ${FEDERATION}`]);
  });

  it("gives only inputs the schema has, with the schema's types, and every required one", () => {
    const federation = program.resources.federation;
    const inputs = schema.resources[FEDERATION]!.inputProperties;
    expect(objectPaths(federation.properties, inputs, "federation")).toEqual([]);
    for (const required of schema.resources[FEDERATION]!.requiredInputs) expect(Object.keys(federation.properties)).toContain(required);
  });

  it("exports only outputs the schema has", () => {
    const outputs = schema.resources[FEDERATION]!.properties;
    const serviceOutputs = schema.types["okta-federation:index:FederationServiceOutputs"]!.properties!;
    for (const [name, expression] of Object.entries(program.outputs as Record<string, string>)) {
      const match = /^\$\{federation\.(\w+)(?:\["[\w-]+"\]\.(\w+)(?:\.(\w+))?)?\}$/.exec(expression);
      expect(match, `${name}: ${expression}`).not.toBeNull();
      const [, output, field, subfield] = match!;
      expect(outputs[output!], `${name}: ${output}`).toBeDefined();
      if (field === undefined) continue;
      expect(serviceOutputs[field], `${name}: ${field}`).toBeDefined();
      if (subfield !== undefined) expect(schema.types[typeOf(serviceOutputs[field])!]!.properties![subfield], `${name}: ${field}.${subfield}`).toBeDefined();
    }
  });
});

/** snake_case → camelCase, as the Python SDK generator maps schema property names. */
const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Every `okta_federation.<Name>(...)` call of the Python program, with its top-level keyword arguments. */
function pythonCalls(source: string): { name: string; keywords: string[] }[] {
  const calls: { name: string; keywords: string[] }[] = [];
  for (const match of source.matchAll(/okta_federation\.(\w+)\(/g)) {
    let depth = 1;
    let i = match.index! + match[0].length;
    const start = i;
    for (; i < source.length && depth > 0; i++) {
      if ("([{".includes(source[i]!)) depth++;
      else if (")]}".includes(source[i]!)) depth--;
    }
    const body = source.slice(start, i - 1);
    const keywords: string[] = [];
    let level = 0;
    for (let j = 0; j < body.length; j++) {
      const c = body[j]!;
      if ("([{".includes(c)) level++;
      else if (")]}".includes(c)) level--;
      else if (level === 0) {
        const keyword = /^(\w+)=(?!=)/.exec(body.slice(j));
        if (keyword && (j === 0 || /[\s,(]/.test(body[j - 1]!))) {
          keywords.push(keyword[1]!);
          j += keyword[1]!.length;
        }
      }
    }
    calls.push({ name: match[1]!, keywords });
  }
  return calls;
}

describe("examples/python", () => {
  const source = readFileSync(join(ROOT, "examples", "python", "__main__.py"), "utf8");

  it("runs on the python runtime and adds this package by path", () => {
    const project = parse(readFileSync(join(ROOT, "examples", "python", "Pulumi.yaml"), "utf8"));
    expect(project.runtime.name).toBe("python");
    expect(project.packages).toEqual({ "okta-federation": "../.." });
  });

  it("uses only input types and keyword arguments the schema has (Python names: <Type>Args, snake_case)", () => {
    const calls = pythonCalls(source);
    expect(calls.map((c) => c.name)).toContain("Federation");
    expect(calls.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const { name, keywords } of calls) {
      const properties = name === "Federation" ? schema.resources[FEDERATION]!.inputProperties : schema.types[`okta-federation:index:${name.replace(/Args$/, "")}`]?.properties;
      if (!properties) {
        problems.push(`${name}: no such type`);
        continue;
      }
      for (const keyword of keywords.filter((k) => k !== "opts")) if (!properties[camel(keyword)]) problems.push(`${name}(${keyword}=…): no property ${camel(keyword)}`);
    }
    expect(problems).toEqual([]);
  });

  it("reads only outputs the schema has", () => {
    for (const [, attribute] of source.matchAll(/\bfederation\.(\w+)/g)) expect(schema.resources[FEDERATION]!.properties[camel(attribute!)], attribute).toBeDefined();
  });
});
