// The policy pack: `pulumi preview --policy-pack policy`. Only this file constructs the PolicyPack
// (constructing it starts the analyzer server); tests import ./policies instead.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("okta-federation-guardrails", { policies });
