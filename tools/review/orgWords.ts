/**
 * The organisation review's findings in words (org.ts computes them, render.ts lays them out): what
 * a platform's change does to a team stack, an accepted identity-admin grant reaching other stacks,
 * a move between stacks. Names are formatted by the caller's Words (Markdown or plain text).
 */
import type { CrossStackTakeover } from "../verify/org";
import type { TeamEffect } from "./org";
import type { StackMove } from "./orgMoves";

/** An accepted identity-admin grant that reaches other stacks, in words. */
export function takeoverWords(t: CrossStackTakeover): string {
  const by = new Map<string, string[]>();
  for (const r of t.reach) by.set(r.stack, [...(by.get(r.stack) ?? []), r.label]);
  const labelsOf = (labels: string[]) => (labels.length > 5 ? `${labels.slice(0, 5).join(", ")} and ${labels.length - 5} more` : labels.join(", "));
  const reach = by.size === 1 ? labelsOf([...by.values()][0]!) : [...by].map(([stack, labels]) => `${stack}: ${labelsOf(labels)}`).join("; ");
  return `${t.stack}/${t.service} holds ${t.grant}, which ${t.why}: it could take over identities of ${by.size === 1 ? "stack" : "stacks"} ${[...by.keys()].join(", ")}: ${reach} (accepted in its own stack with allowIdentityAdmin: true; the other ${by.size === 1 ? "stack's" : "stacks'"} owners must agree)`;
}

/** Formatting of names in an effect: backticks and escaping in Markdown, plain in text. */
export interface Words {
  readonly code: (value: string) => string;
  readonly text: (value: string) => string;
}

const list = (names: readonly string[], w: Words) => names.map(w.code).join(", ");
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One effect in words. */
export function effectWords(effect: TeamEffect, team: string, w: Words): string {
  switch (effect.kind) {
    case "trust-input":
      return `${effect.field} ${w.code(effect.from)} → ${w.code(effect.to)}: every trust of team ${w.code(team)} changes (${w.text(effect.trusts)}); its services' tokens carry the new ${effect.field} as soon as the platform is deployed, and its trusts accept it only once this team stack is deployed too`;
    case "scope-removed":
      return `scope ${w.code(effect.scope)} removed: the next \`pulumi up\` of team ${w.code(team)} FAILS validation: ${effect.services.length === 1 ? "service" : "services"} ${list(effect.services, w)} ${effect.services.length === 1 ? "requests" : "request"} it`;
    case "team-removed":
      return `team ${w.code(effect.team)} removed from the platform's teams: this stack's next \`pulumi up\` FAILS (the platform has no place for it)`;
    case "band":
      return `Okta priority band ${effect.from} → ${effect.to}: nothing is replaced; only policies created from now on get the new band's priorities (a policy's priority is ignored after create)`;
    case "gcp-provider":
      return `GCP provider id ${w.code(effect.from)} → ${w.code(effect.to)}: the team's provider in the pool is REPLACED (new provider id ${w.code(effect.to)}), and its workloads' credential configs change: the audience of the external_account is now ${w.code(effect.audience)}${effect.services.length ? ` (services ${list(effect.services, w)})` : ""}`;
    case "team-place":
      return `${effect.cloud} ${w.code(effect.from)} → ${w.code(effect.to)}: the team's identities there are REPLACED by new ones in the new place`;
    case "platform-gone":
      return `${w.text(effect.reason)}: this team stack cannot read its platform, so its next \`pulumi up\` FAILS`;
    case "fails":
      return `does not plan with the head's platform: its next \`pulumi up\` FAILS: ${w.text(effect.errors.join("; "))}`;
    case "replanned":
      return `re-planned with the head's platform${effect.ownFileChanged ? " (and its own stack file's changes)" : ""}: ${plural(effect.changes, "access change")}, ${plural(effect.lifecycle, "resource")} replaced or deleted on its next \`pulumi up\` (its section below)`;
    case "none":
      return "nothing changes for it";
  }
}

/** One move between stacks (orgMoves.ts) in words. */
export const moveWords = (m: StackMove, w: Words) => `${m.kind === "service" ? `service ${w.code(m.what)}` : w.text(m.what)}: ${w.code(m.from)} → ${w.code(m.to)}: ${w.text(m.message)}`;
