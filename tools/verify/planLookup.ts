/**
 * Reading a plan's resources: an input (or its value after deploy), and the oktafed component or
 * Federation a resource belongs to.
 */
import type { PlanResource } from "./modelTypes";

export const get = (r: PlanResource, key: string): any => r.inputs[key] ?? r.afterDeploy?.[key] ?? (key === "id" ? r.id : undefined);

/** The oktafed component a resource belongs to (itself, or its nearest oktafed ancestor). */
export function componentOf(byUrn: ReadonlyMap<string, PlanResource>, resource: PlanResource): PlanResource | undefined {
  let current: PlanResource | undefined = resource;
  while (current && !current.type.startsWith("oktafed:")) current = current.parent ? byUrn.get(current.parent) : undefined;
  return current;
}

/** The Federation component a resource lives under, if any. */
export function federationOf(byUrn: ReadonlyMap<string, PlanResource>, resource: PlanResource): PlanResource | undefined {
  let current: PlanResource | undefined = resource;
  while (current && current.type !== "oktafed:index:Federation") current = current.parent ? byUrn.get(current.parent) : undefined;
  return current;
}
