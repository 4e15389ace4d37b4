/**
 * Azure scopes (resource ids) in one canonical form, so that containment and equality are decided
 * on what a scope addresses, not on how it is spelled. ARM treats resource ids as case-insensitive
 * in requests (github.com/Azure/azure-resource-manager-rpc, v1.0/resource-api-reference.md), and a
 * role assignment's scope is the request path itself (Role Assignments - Create: PUT
 * https://management.azure.com/{scope}/providers/Microsoft.Authorization/roleAssignments/{name}),
 * which servers read with percent-escapes decoded and `.`/`..` segments removed (RFC 3986 §6.2.2,
 * §5.2.4). So
 * `/subscriptions/<id>//resourceGroups/x`, `/subscriptions/<id>/./resourceGroups/x`,
 * `/subscriptions/<id>/resourceGroups/x/` and `/subscriptions/<id>/resourceGroups/%78` are taken to
 * name resource group x: a check that compared the text would let such a spelling hide a managed
 * identity from a scope that holds it. Config validation refuses non-canonical scopes outright
 * (crossField.ts). No Pulumi here.
 */

/**
 * A scope in canonical form, letter case kept: percent-escapes decoded, empty and `.` segments
 * dropped, `..` segments resolved, no trailing slash, one leading slash. The root scope is "/".
 */
export function canonicalAzureScope(scope: string): string {
  // Each run of escapes decoded as UTF-8; a run that is not UTF-8, or a lone '%', is kept as written.
  const decoded = scope.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
  const segments: string[] = [];
  for (const segment of decoded.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join("/")}`;
}

/** The form scopes are compared in: canonical, and in lower case (ARM ids are case-insensitive). */
export function azureScopeKey(scope: string): string {
  return canonicalAzureScope(scope).toLowerCase();
}
