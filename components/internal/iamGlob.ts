/**
 * IAM policy wildcards: in an action or resource, `*` matches any run of characters (none
 * included) and `?` any one character (docs.aws.amazon.com/IAM/latest/UserGuide/
 * reference_policies_elements_action.html and …_resource.html). Action names are matched without
 * regard to letter case, ARNs with it. No Pulumi here.
 */

/** Does the IAM pattern match the value? */
export function iamGlobMatches(pattern: string, value: string, ignoreCase = false): boolean {
  return globsIntersect(pattern, value, ignoreCase, true);
}

/**
 * Could one value match both patterns? Each side may hold `*` and `?`. Used to ask whether a
 * statement's resource can name a resource of a given kind (`arn:aws:s3:::orders/*` against the
 * catalogue's `arn:*:s3:::*\/*`), without listing values.
 */
export function iamGlobsIntersect(a: string, b: string, ignoreCase = false): boolean {
  return globsIntersect(a, b, ignoreCase, false);
}

/** An ARN's six segments (partition, service, region, account and the resource, which may hold colons), or undefined. */
function arnSegments(arn: string): string[] | undefined {
  const parts = arn.split(":");
  return parts.length < 6 || parts[0] !== "arn" ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
}

/**
 * Could one resource match both ARN patterns? IAM matches an ARN segment by segment (a wildcard
 * does not reach across the colons of the first five), and a lone `*` matches every resource.
 */
export function arnPatternsIntersect(a: string, b: string): boolean {
  if (a === "*" || b === "*") return true;
  const x = arnSegments(a);
  const y = arnSegments(b);
  if (!x || !y) return iamGlobsIntersect(a, b);
  return x.every((segment, i) => iamGlobsIntersect(segment, y[i]!));
}

/** Does the ARN pattern match every resource the other pattern can (its wildcards read as characters)? */
export function arnPatternCovers(pattern: string, other: string): boolean {
  if (pattern === "*") return true;
  const x = arnSegments(pattern);
  const y = arnSegments(other);
  // The other's `*` and `?` are read as characters that only a `*` covers: `?` matches one character, not a run.
  const covers = (p: string, o: string) => globsIntersect(p, o, false, true, true);
  if (!x || !y) return covers(pattern, other);
  return x.every((segment, i) => covers(segment, y[i]!));
}

/** The catalogue's ARN template (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) as a pattern: each variable `*`. */
export function arnTemplatePattern(template: string): string {
  return template.replace(/\$\{[^}]*\}/g, "*");
}

/**
 * Product automaton of the two patterns, explored from (0, 0): a `*` may stay and consume the
 * other side's next symbol or be left; `?` consumes one symbol; literals must be equal. When
 * `literalB` is set, b's `*` and `?` are ordinary characters (plain matching).
 */
function globsIntersect(a: string, b: string, ignoreCase: boolean, literalB: boolean, wildB = false): boolean {
  const x = ignoreCase ? a.toLowerCase() : a;
  const y = ignoreCase ? b.toLowerCase() : b;
  const width = y.length + 1;
  const seen = new Uint8Array((x.length + 1) * width);
  const stack: number[] = [0];
  const starA = (i: number) => x[i] === "*";
  const starB = (j: number) => !literalB && y[j] === "*";
  const one = (i: number, j: number) => x[i] === y[j] || (x[i] === "?" && !(wildB && (y[j] === "*" || y[j] === "?"))) || (!literalB && y[j] === "?");
  const push = (i: number, j: number) => {
    const k = i * width + j;
    if (!seen[k]) {
      seen[k] = 1;
      stack.push(k);
    }
  };
  seen[0] = 1;
  while (stack.length > 0) {
    const k = stack.pop()!;
    const i = Math.floor(k / width);
    const j = k % width;
    if (i === x.length && j === y.length) return true;
    if (i < x.length && starA(i)) {
      push(i + 1, j);
      if (j < y.length) push(i, j + 1);
    }
    if (j < y.length && starB(j)) {
      push(i, j + 1);
      if (i < x.length) push(i + 1, j);
    }
    if (i < x.length && j < y.length && !starA(i) && !starB(j) && one(i, j)) push(i + 1, j + 1);
  }
  return false;
}
