/**
 * CEL for the GCP emulator, evaluated by @bufbuild/cel (not the kit's CEL): attribute mappings and
 * attribute conditions, with Google's `extract` function.
 */
import { CelScalar, celList, celMap, celMethod, isCelError, isCelList, isCelMap, isCelUint, run, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

/** JSON-like values as @bufbuild/cel input (it takes no plain objects). */
function toCelInput(value: unknown): CelInput {
  if (Array.isArray(value)) return celList(value.map(toCelInput));
  if (value !== null && typeof value === "object") return celMap(new Map(Object.entries(value).map(([k, v]) => [k, toCelInput(v)])));
  return value as CelInput;
}

/** A CEL value as plain JSON-like data. */
function fromCel(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (isCelUint(value)) return Number(value.value);
  if (isCelList(value)) return [...(value as Iterable<unknown>)].map(fromCel);
  if (isCelMap(value)) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), fromCel(v)]));
  return value;
}

/**
 * Google's `extract(template)`: the part of the string the template's `{name}` stands for, found
 * after the template's prefix and up to its suffix; empty when the prefix or suffix is absent
 * (https://cloud.google.com/iam/docs/conditions-attribute-reference#extract).
 */
const extract = celMethod("extract", CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (this: string, template: string) {
  const open = template.indexOf("{");
  const close = template.indexOf("}", open);
  if (open < 0 || close < 0) return "";
  const prefix = template.slice(0, open);
  const suffix = template.slice(close + 1);
  const start = this.indexOf(prefix);
  if (start < 0) return "";
  const rest = this.slice(start + prefix.length);
  if (suffix === "") return rest;
  const end = rest.indexOf(suffix);
  return end < 0 ? "" : rest.slice(0, end);
});

export type CelOutcome = { ok: true; value: unknown } | { ok: false; error: string };

export function evaluateCel(expression: string, bindings: Record<string, unknown>): CelOutcome {
  const input = Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, toCelInput(v)]));
  const value = run(expression, input, { funcs: [...strings, extract] });
  if (isCelError(value)) return { ok: false, error: value.message.split("\n")[0] ?? "CEL error" };
  return { ok: true, value: fromCel(value) };
}
