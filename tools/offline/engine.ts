/**
 * The offline engine: runs a Pulumi program in-process against the Node SDK's mock monitor and
 * records every resource exactly as the program registers it (type, name, parent, provider,
 * inputs, dependencies, options). No Pulumi CLI, no provider plugin, no credentials, no network.
 *
 * Values a real deployment only learns from the cloud (ids, client ids, ARNs, server ids) are
 * filled with recognisable placeholders `<resource-name.property>`, the same everywhere they flow,
 * so the wiring can be followed. Where a value is fully determined by its inputs (an IAM OIDC
 * provider ARN, a service account email) the prediction is used, and still listed as after-deploy.
 */
import * as pulumi from "@pulumi/pulumi";
import { placeholderOutputs } from "./placeholders";

/** What a secret value is shown as. `secure:` config values are never decrypted. */
export const SECRET_MARK = "[secret]";

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Parent URN, or null for a resource directly under the stack (the root `pulumi:pulumi:Stack`, not recorded). */
  readonly parent: string | null;
  /** Provider URN for custom resources. */
  readonly provider: string | null;
  readonly custom: boolean;
  /** Read (adopted) rather than created. */
  readonly read: boolean;
  /** Inputs as registered; secret values keep their secret wrapper (see {@link isSecretValue}). */
  readonly inputs: Record<string, unknown>;
  /** Outputs the engine returned (inputs plus computed values). */
  readonly outputs: Record<string, unknown>;
  /** Output properties whose values are only known after deploy (filled with placeholders). */
  readonly afterDeploy: readonly string[];
  /** URNs this resource waits for (input references and dependsOn). */
  readonly dependencies: readonly string[];
  readonly protect: boolean;
  readonly ignoreChanges: readonly string[];
  /** Inputs whose change replaces the resource, beyond the provider's own rules (components/internal/replacements.ts). */
  readonly replaceOnChanges?: readonly string[];
  /** The resource asked to be deleted before its replacement is created. */
  readonly deleteBeforeReplace?: boolean;
  readonly additionalSecretOutputs: readonly string[];
  /** Former URNs this resource keeps its identity from (aliases, including those inherited from a parent). */
  readonly aliases: readonly string[];
  /** A component's outputs as it registered them (registerOutputs); secrets stay wrapped. */
  componentOutputs?: Record<string, unknown>;
}

export interface OfflineRunOptions {
  readonly project: string;
  readonly stack: string;
  /** Full config map, `namespace:key` -> string value (objects as JSON). */
  readonly config: Readonly<Record<string, string>>;
  /** Keys of `config` that are secret. */
  readonly secretKeys?: readonly string[];
  /** Facts the engine cannot see in the inputs (e.g. an Okta custom domain), used for placeholders. */
  readonly hints?: PlaceholderHints;
  /** Outputs of other stacks, by stack name, for programs that read them with a StackReference. */
  readonly stackReferences?: Readonly<Record<string, Record<string, unknown>>>;
}

export interface PlaceholderHints {
  /** Issuer host per Okta org (`<orgName>.<baseUrl>`) whose authorization servers use CUSTOM_URL. */
  readonly oktaCustomDomains?: Readonly<Record<string, string>>;
  /**
   * Adopted authorization servers as the config describes them, by `<orgName>.<baseUrl>/<id>`: what
   * reading the server from Okta would return.
   */
  readonly oktaAdoptedServers?: Readonly<Record<string, { readonly issuer: string; readonly audiences: readonly string[]; readonly issuerMode: string }>>;
}

export interface OfflineRunResult {
  readonly resources: readonly RecordedResource[];
  /** The program's return value (stack outputs), fully resolved; secrets stay wrapped. */
  readonly outputs: Record<string, unknown>;
}

/** Thrown when the program fails; `message` is the program's own error, without a stack trace. */
export class ProgramError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
    /** What was registered before the failure (empty when config validation failed). */
    readonly resources: readonly RecordedResource[] = [],
  ) {
    super(message);
    this.name = "ProgramError";
  }
}

// waitForRPCs is exported by the SDK but marked internal in its typings.
const runtime = pulumi.runtime as typeof pulumi.runtime & { waitForRPCs(): Promise<void> };
const SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
// Resource.stackTrace is static and internal to the SDK (not in its typings).
const resourceClass = pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] };
const ALIAS_SPECS_FEATURE = (require("@pulumi/pulumi/proto/resource_pb") as { ResourceMonitorFeature: Record<string, number> })
  .ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS;

/** True for a value the SDK marked secret (`{[sig]: secretSig, value}`). */
export function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Replaces every secret value with {@link SECRET_MARK}. */
export function redact(value: unknown): unknown {
  if (isSecretValue(value)) return SECRET_MARK;
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  }
  return value;
}

/** Removes secret wrappers, keeping the values (for wiring checks in tests, never for display). */
export function unwrapSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

interface RequestMeta {
  parent: string;
  provider: string;
  dependencies: string[];
  protect: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  deleteBeforeReplace: boolean;
  additionalSecretOutputs: string[];
  aliases: string[];
}

/** URN as the engine builds it: the parent's full qualified type chain, without the root stack. */
function newUrn(stack: string, project: string, parent: string, type: string, name: string): string {
  if (parent) {
    const parentType = parent.split("::")[2] ?? "";
    if (parentType !== "pulumi:pulumi:Stack") type = `${parentType}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** The URN part of a provider reference `<urn>::<id>`. */
function providerUrn(reference: string | undefined): string | null {
  if (!reference) return null;
  const i = reference.lastIndexOf("::");
  return i > 0 ? reference.slice(0, i) : reference;
}

/**
 * Runs `program` offline and returns every registered resource and the resolved outputs.
 * Runs are sequential: the SDK's runtime state is process-global.
 */
export async function runOffline(program: () => unknown, options: OfflineRunOptions): Promise<OfflineRunResult> {
  const recorded: RecordedResource[] = [];
  let stackUrn: string | undefined;
  let stackOutputs: Record<string, unknown> | undefined;
  const byUrn = new Map<string, RecordedResource>();
  const pending: RequestMeta[] = [];
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  // The SDK captures a stack trace for every promise it creates, and with source maps on (tsx)
  // each one is mapped frame by frame: about two thirds of a large plan's time (docs/benchmarks.md).
  // The plan shows error messages only, so trace capture is switched off while the program runs.
  // OKTAFED_STACK_TRACES=1 keeps it, for debugging the kit.
  const keepTraces = process.env.OKTAFED_STACK_TRACES === "1";
  const saved = { limit: Error.stackTraceLimit, sourceMaps: process.sourceMapsEnabled, resourceStackTrace: resourceClass.stackTrace };
  if (!keepTraces) {
    Error.stackTraceLimit = 0;
    process.setSourceMapsEnabled(false);
    // Likewise the source position of every registration: the SDK captures a full, uncapped stack
    // per resource and converts every frame to a file URL, for the engine's error reports.
    resourceClass.stackTrace = () => [];
  }

  const stackReference = (name: string) => {
    const outputs = options.stackReferences?.[name];
    if (!outputs) throw new Error(`the offline engine has no outputs for stack reference ${name}`);
    return { id: name, values: { outputs, secretOutputNames: [] as string[] } };
  };

  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const meta = pending.shift();
      if (!meta) throw new Error(`internal: no request metadata for ${args.type} ${args.name}`);
      const urn = newUrn(options.stack, options.project, meta.parent, args.type, args.name);
      if (args.type === ROOT_STACK_TYPE && !meta.parent) {
        stackUrn = urn;
        return { id: undefined, state: {} };
      }
      const providerRef = providerUrn(args.provider);
      const providerInputs = providerRef ? byUrn.get(providerRef)?.inputs ?? {} : {};
      const computed = args.type === "pulumi:pulumi:StackReference" ? stackReference(args.inputs.name) : placeholderOutputs({
        type: args.type,
        name: args.name,
        inputs: args.inputs,
        id: args.id,
        providerInputs: unwrapSecrets(providerInputs) as Record<string, unknown>,
        hints: options.hints ?? {},
      });
      const id = computed.id;
      const outputs = { id, ...args.inputs, ...computed.values };
      const resource: RecordedResource = {
        urn,
        type: args.type,
        name: args.name,
        parent: meta.parent && meta.parent !== stackUrn ? meta.parent : null,
        provider: providerRef,
        custom: args.custom ?? true,
        read: args.id !== undefined && args.id !== "" && !args.type.startsWith("pulumi:providers:"),
        inputs: args.inputs,
        outputs,
        afterDeploy: Object.keys(computed.values),
        dependencies: meta.dependencies,
        protect: meta.protect,
        ignoreChanges: meta.ignoreChanges,
        replaceOnChanges: meta.replaceOnChanges,
        deleteBeforeReplace: meta.deleteBeforeReplace,
        additionalSecretOutputs: meta.additionalSecretOutputs,
        aliases: meta.aliases,
      };
      if (byUrn.has(urn)) {
        // The real engine rejects duplicate URNs; the mock monitor would silently overwrite.
        failures.push(new Error(`duplicate resource URN ${urn}`));
      }
      recorded.push(resource);
      byUrn.set(urn, resource);
      return { id, state: outputs };
    },
    call(args) {
      throw new Error(`the offline plan does not run provider functions (${args.token})`);
    },
  };

  await runtime.setMocks(mocks, options.project, options.stack, false);
  const monitor = runtime.getMonitor() as unknown as Record<string, (req: any, cb: any) => unknown>;
  // Have the SDK compute alias URNs itself (parents' aliases inherited by their children), as it
  // does for engines without alias specs, so the plan can show which identities are kept. The SDK
  // asks the monitor for its features as the root stack starts, before the program runs.
  const deploymentInfo = monitor.getDeploymentInfo!.bind(monitor);
  monitor.getDeploymentInfo = (req: any, cb: any) =>
    deploymentInfo(req, (err: unknown, info: any) => {
      if (info) info.setSupportedfeaturesList(info.getSupportedfeaturesList().filter((f: number) => f !== ALIAS_SPECS_FEATURE));
      cb(err, info);
    });
  // Capture what the mock monitor does not pass to newResource, and build URNs as the engine does.
  (monitor as any).newUrn = (parent: string, type: string, name: string) =>
    newUrn(options.stack, options.project, parent, type, name);
  const register = monitor.registerResource!.bind(monitor);
  monitor.registerResource = (req: any, cb: any) => {
    pending.push({
      parent: req.getParent(),
      provider: req.getProvider(),
      dependencies: [...req.getDependenciesList()],
      protect: Boolean(req.getProtect()),
      ignoreChanges: [...req.getIgnorechangesList()],
      replaceOnChanges: [...req.getReplaceonchangesList()],
      deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
      additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()],
      aliases: [...req.getAliasurnsList()],
    });
    return register(req, cb);
  };
  const read = monitor.readResource!.bind(monitor);
  monitor.readResource = (req: any, cb: any) => {
    pending.push({
      parent: req.getParent(),
      provider: req.getProvider(),
      dependencies: [...req.getDependenciesList()],
      protect: false,
      ignoreChanges: [],
      replaceOnChanges: [],
      deleteBeforeReplace: false,
      additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()],
      aliases: [],
    });
    return read(req, cb);
  };
  // Outputs as the engine receives them: serialized by the SDK, secrets still wrapped. The stack's
  // are the stack outputs; a component's are kept on its record (the engine stores them in state).
  const componentOutputs = new Map<string, Record<string, unknown>>();
  const registerOutputs = monitor.registerResourceOutputs!.bind(monitor);
  monitor.registerResourceOutputs = (req: any, cb: any) => {
    const outputs = req.getOutputs()?.toJavaScript() ?? {};
    if (stackUrn !== undefined && req.getUrn() === stackUrn) stackOutputs = outputs;
    else componentOutputs.set(req.getUrn(), outputs);
    return registerOutputs(req, cb);
  };
  runtime.setAllConfig({ ...options.config }, [...(options.secretKeys ?? [])]);

  try {
    let programError: unknown;
    try {
      // As the Pulumi runtime runs a program: under the root stack resource, which parents every
      // top-level resource and registers the program's return value as the stack outputs.
      await runtime.runInPulumiStack(async () => program());
    } catch (error) {
      programError = error;
    }
    // Drain every registration the program started, even after a failure, so that nothing from
    // this run leaks into the next one.
    await runtime.waitForRPCs();
    await new Promise((resolve) => setImmediate(resolve));
    for (const resource of recorded) {
      const outputs = componentOutputs.get(resource.urn);
      if (!resource.custom && outputs && Object.keys(outputs).length > 0) resource.componentOutputs = outputs;
    }
    if (programError !== undefined) throw new ProgramError(errorMessage(programError), programError, recorded);
    if (failures.length > 0) throw new ProgramError([...new Set(failures.map(errorMessage))].join("\n"), failures[0], recorded);
    return { resources: recorded, outputs: stackOutputs ?? {} };
  } finally {
    process.off("unhandledRejection", onRejection);
    Error.stackTraceLimit = saved.limit;
    process.setSourceMapsEnabled(saved.sourceMaps);
    resourceClass.stackTrace = saved.resourceStackTrace;
  }
}

/** The message of an error as a user should see it: no stack trace, no SDK prefixes. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
