/**
 * The trust probes: each trust of the model on its own, independent of any grant, with tokens that
 * must be refused (another audience, another issuer, another client id of the same issuer).
 */
import { azureCredentialAccepts } from "../../components/internal/trust";
import type { TrustModel } from "./model";
import { worstCaseToken, type TokenClaims } from "./tokens";
import { allow, awsDecision, deny, gcpProviderAdmits, type Decision } from "./decisions";

export type ProbeKind = "wrong-audience" | "other-issuer" | "other-client";

/** One trust probed on its own: a token that must be refused by the trust itself. */
export interface TrustProbe extends Decision {
  /** The trust, e.g. "AWS role payments", "GCP provider okta (pool okta-dev)", "Azure credential payments/okta-dev". */
  readonly trust: string;
  readonly probe: ProbeKind;
}

/** Tokens that must be refused everywhere: a wrong audience, another issuer, another client id. */
export function probesFor(token: TokenClaims): Record<ProbeKind, TokenClaims> {
  return {
    "wrong-audience": { ...token, aud: `${token.aud}-other` },
    "other-issuer": { ...token, iss: "https://attacker.example/oauth2/default" },
    "other-client": { ...token, sub: "0oaOTHERCLIENT000000", cid: "0oaOTHERCLIENT000000" },
  };
}

/** Every trust of the model with the token it was built for, and how it decides a token on its own. */
export function trustsOf(model: TrustModel, tokens: ReadonlyMap<string, TokenClaims>): Array<{ trust: string; base: TokenClaims; decide: (token: TokenClaims) => Decision }> {
  const issuerFor = (iss: string | undefined) => model.issuers.find((i) => i.issuer === iss) ?? model.issuers[0]!;
  const ownerToken = (owner: string, fallbackIssuer?: string) =>
    tokens.get(owner) ?? worstCaseToken(issuerFor(fallbackIssuer ?? model.services.find((s) => s.key === owner)?.issuer), "0oaOWNER000000000000");
  const trusts: Array<{ trust: string; base: TokenClaims; decide: (token: TokenClaims) => Decision }> = [];
  for (const target of model.targets) {
    if (target.kind === "aws-role") trusts.push({ trust: target.label, base: ownerToken(target.owner), decide: (t) => awsDecision(model, target, t) });
    for (const credential of target.azure?.credentials ?? []) {
      const label = `Azure credential ${target.owner}/${credential.name}`;
      trusts.push({
        trust: label,
        base: ownerToken(target.owner, credential.issuer),
        decide: (t) => {
          const result = azureCredentialAccepts(credential, { iss: t.iss, sub: t.sub, aud: t.aud }, label);
          return result.allowed ? allow(result.reason) : deny(result.reason);
        },
      });
    }
  }
  for (const pool of model.gcpPools) {
    for (const provider of pool.providers) {
      const poolId = pool.name.split("/").pop();
      // Start from a client the provider is meant to admit, holding every claim the issuer emits.
      const member = [...tokens.values()].find((t) => gcpProviderAdmits(provider, t).admitted);
      trusts.push({
        trust: `GCP provider ${provider.id} (pool ${poolId})`,
        base: worstCaseToken(issuerFor(provider.issuerUri), member?.sub ?? "0oaPOOLMEMBER0000000"),
        decide: (t) => {
          const admission = gcpProviderAdmits(provider, t);
          return admission.admitted ? allow(`the provider admits it as subject ${admission.subject}`) : deny(admission.reason);
        },
      });
    }
  }
  return trusts;
}

export const PROBE_WORDS: Record<ProbeKind, string> = {
  "wrong-audience": "another audience",
  "other-issuer": "another issuer",
  "other-client": "another client id of the same issuer",
};
