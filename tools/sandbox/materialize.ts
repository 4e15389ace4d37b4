/**
 * The offline plan as if deployed: every value known only after deploy (`<resource.property>`) is
 * replaced by a deterministic value of the shape the cloud gives it (an Okta client id `0oa…`, an
 * authorization server id `aus…`, a 12-digit project number, a GUID…). The same placeholder gets the
 * same value everywhere, as the real value flows everywhere, so a wiring mistake stays a mismatch.
 */
import { createHash } from "node:crypto";
import type { PlanDocument } from "../verify/model";

const ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function alphanumeric(seed: string, length: number, alphabet = ALPHANUMERIC): string {
  const bytes = digest(seed);
  return Array.from({ length }, (_, i) => alphabet[bytes[i % bytes.length]! % alphabet.length]).join("");
}

function guid(seed: string): string {
  const hex = digest(seed).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A deployed-looking value for `property` of the resource named `name`. */
export function deployedValue(name: string, property: string): string {
  const seed = `${name}.${property}`;
  switch (property) {
    case "clientId":
      // Okta client ids are 20 characters starting 0oa; a managed identity's client id is a GUID.
      return name.endsWith("-app") ? `0oa${alphanumeric(seed, 17)}` : guid(seed);
    case "principalId":
    case "tenantId":
      return guid(seed);
    case "projectNumber":
      return `${1 + (digest(seed)[0]! % 9)}${alphanumeric(seed, 11, "0123456789")}`;
    case "uniqueId":
      return name.endsWith("-gcp-sa") ? `1${alphanumeric(seed, 20, "0123456789")}` : `AROA${alphanumeric(seed, 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`;
    case "kid":
      return alphanumeric(seed, 43);
    case "id":
      return name.endsWith("-authz-server") ? `aus${alphanumeric(seed, 17)}` : `sandbox-${alphanumeric(seed, 12).toLowerCase()}`;
    default:
      return `sandbox-${alphanumeric(seed, 12).toLowerCase()}`;
  }
}

/** The plan with every placeholder replaced by its deployed-looking value. */
export function materialize(plan: PlanDocument): PlanDocument {
  // Names may hold dots (federation-authz-scope-api.read): the property is after the last one.
  const text = JSON.stringify(plan).replace(/<([^<>"\s]+)\.([A-Za-z]+)>/g, (_, name: string, property: string) => deployedValue(name, property));
  return JSON.parse(text) as PlanDocument;
}
