/**
 * Resources a plan keeps under a new logical name through an alias (a service's `renamedFrom`:
 * its components are aliased to their former names and their children follow). Pulumi moves such a
 * resource to its new name without touching it, so for a reviewer it is the same identity: the
 * plan's placeholders for it (`<new-name.clientId>`) are written as the base's (`<old-name.clientId>`)
 * and the access diff matches it with the base's resource, instead of one removed and one added.
 */
import { mapPlaceholders, placeholder } from "../../components/internal/placeholder";
import type { PlanDocument, PlanResource } from "./model";
import type { Renames } from "./diff";


/** The head with renamed resources' placeholders as the base names them, and the renames (head name → base name). */
export function followRenames(head: PlanDocument, base: PlanDocument): { plan: PlanDocument; renamed: Renames } {
  const baseByUrn = new Map(base.resources.map((r) => [r.urn, r]));
  const renamed = new Map<string, string>();
  for (const r of head.resources) {
    if (baseByUrn.has(r.urn)) continue;
    const former = ((r as PlanResource & { aliases?: unknown }).aliases as unknown[] | undefined)?.map((a) => (typeof a === "string" ? baseByUrn.get(a) : undefined)).find((b) => b !== undefined);
    if (former && former.name !== r.name && former.type === r.type) renamed.set(r.name, former.name);
  }
  if (renamed.size === 0) return { plan: head, renamed };
  const rewrite = (value: unknown): unknown => mapPlaceholders(value, (name, property, whole) => (renamed.has(name) ? placeholder(renamed.get(name)!, property) : whole));
  return { plan: { ...head, resources: head.resources.map((r) => ({ ...r, inputs: rewrite(r.inputs) as Record<string, unknown>, ...(r.afterDeploy ? { afterDeploy: rewrite(r.afterDeploy) as Record<string, unknown> } : {}) })), ...(head.outputs ? { outputs: rewrite(head.outputs) as Record<string, unknown> } : {}) }, renamed };
}
