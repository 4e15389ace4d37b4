/**
 * Hosts and URLs in canonical form, so that the kit compares what a server addresses rather than
 * how it is spelled: two spellings of one Okta org, or of one JWKS URL, are one. No Pulumi here.
 */

/** A DNS host in canonical form: lower case, no trailing dot (DNS names are case-insensitive, RFC 4343). */
export function canonicalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}

/**
 * The host of an Okta org, `<orgName>.<baseUrl>`, in canonical form: `acme` and `ACME` are one org
 * (its URL is https://<orgName>.<baseUrl>, and hosts are case-insensitive).
 */
export function oktaOrgHost(orgName: string, baseUrl = "okta.com"): string {
  return canonicalHost(`${orgName}.${baseUrl}`);
}

/** RFC 3986 §2.3 unreserved characters: their percent-escapes mean the characters themselves. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** Decodes percent-escapes of unreserved characters and upper-cases the hex of the others (RFC 3986 §6.2.2.1, §6.2.2.2). */
function normalizeEscapes(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/**
 * A URL as the server it names receives it, for comparing two spellings of one URL: parsed as
 * WHATWG URL does (scheme and host in lower case, default port dropped, `.` and `..` segments
 * resolved, `%2e` segments included), then with unreserved percent-escapes decoded and the others'
 * hex in upper case (RFC 3986 §6.2.2), the fragment dropped (it is never sent, RFC 3986 §3.5) and an
 * empty query dropped (`…/jwks?` requests what `…/jwks` does). Text that is not a URL is returned
 * as written.
 */
export function canonicalUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  // Decoding may spell a dot segment (%2E is unreserved); parsing again resolves it.
  const path = normalizeEscapes(url.pathname);
  const query = url.search === "?" ? "" : normalizeEscapes(url.search);
  const again = new URL(`${url.protocol}//${url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ""}@` : ""}${url.host}${path}${query}`);
  return again.href;
}
