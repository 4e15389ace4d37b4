import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws/provider";
import { ServiceRole, readFederation } from "okta-federation/aws";

/** Adds a reporting role for the federation stack's `payments` service in this team's account. */
export function appProgram() {
  const config = new pulumi.Config();
  const federation = readFederation(new pulumi.StackReference(config.require("federationStack")));
  const provider = new aws.Provider("aws", {
    region: config.require("region"),
    allowedAccountIds: [config.require("accountId")],
  });
  const payments = federation.service("payments");

  const reports = new ServiceRole(
    "payments-reports",
    {
      oidcProviderArn: federation.awsOidcProviderArn,
      issuerUrl: federation.issuerUrl,
      audience: federation.audience,
      clientId: payments.clientId,
      policies: { "athena-read": "arn:aws:iam::aws:policy/AmazonAthenaFullAccess" },
      description: "Payments reads reports (owned by the payments team)",
    },
    { providers: { aws: provider } },
  );
  return { reportsRoleArn: reports.roleArn };
}
