/**
 * An offline plan as a minimal v3 stack export after deploy, for the tests that verify exports
 * (test/verify/org*.test.ts): every placeholder filled with a value derived from its name (a client
 * id `0oa…`; the same in every stack, so a team's references to its platform's server hold the
 * platform's id), components with their outputs, adopted resources as external. Enough for
 * stateToPlan (tools/verify/state.ts); test/verify/state.test.ts checks the format in full.
 * `change` edits each exported resource, to build a state that differs from its plan.
 */
import { createHash } from "node:crypto";
import type { PlanDocument } from "../../tools/verify/model";

export function planToExport(plan: PlanDocument, change: (resource: any) => void = () => {}): unknown {
  const hash = (text: string) => createHash("sha256").update(text).digest("hex");
  const fill = (value: unknown): unknown => {
    if (typeof value === "string") {
      return value.replace(/<([^<>\s]+)\.([A-Za-z]+)>/g, (_, name: string, property: string) =>
        property === "projectNumber" ? "123456789012" : property === "clientId" ? `0oa${hash(name).slice(0, 17)}` : `${name}-${hash(`${name}.${property}`).slice(0, 12)}`,
      );
    }
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  const stackUrn = `urn:pulumi:${plan.stack}::okta-federation::pulumi:pulumi:Stack::okta-federation-${plan.stack}`;
  const resources: any[] = [{ urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", outputs: fill(plan.outputs ?? {}) }];
  for (const r of plan.resources as any[]) {
    const common = { urn: r.urn, type: r.type, parent: r.parent ?? stackUrn };
    if (!r.custom) resources.push({ ...common, custom: false, ...(r.outputs ? { outputs: fill(r.outputs) } : {}) });
    else if (r.operation === "read") resources.push({ ...common, custom: true, external: true, id: fill(r.id), outputs: { ...(fill(r.afterDeploy) as object), id: fill(r.id) } });
    else {
      const inputs = fill(r.inputs) as Record<string, unknown>;
      const outputs = { ...inputs, ...(fill(r.afterDeploy ?? {}) as Record<string, unknown>) };
      resources.push({ ...common, custom: true, id: String(outputs.id ?? `${r.name}-id`), inputs, outputs });
    }
  }
  for (const r of resources) change(r);
  return { version: 3, deployment: { resources } };
}
