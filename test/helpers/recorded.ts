/** Helpers to query what the offline engine recorded. */
import { expect } from "vitest";
import type { RecordedResource } from "../../tools/offline/engine";
import { unwrapSecrets } from "../../tools/offline/engine";

export function byType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

/** The one resource with this type and name; fails if absent or duplicated. */
export function one(resources: readonly RecordedResource[], type: string, name: string): RecordedResource {
  const found = resources.filter((r) => r.type === type && r.name === name);
  expect(found.map((r) => `${r.type}::${r.name}`), `expected exactly one ${type} named ${name}`).toEqual([`${type}::${name}`]);
  return found[0]!;
}

/** Inputs with secrets unwrapped (only for asserting wiring). */
export function inputsOf(r: RecordedResource): Record<string, any> {
  return unwrapSecrets(r.inputs) as Record<string, any>;
}

/** `type::name` of every resource, sorted: the identity set. */
export function identities(resources: readonly RecordedResource[]): string[] {
  return resources.map((r) => r.urn).sort();
}
