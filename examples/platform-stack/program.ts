import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws/provider";
import { OidcProvider, ServiceRole } from "okta-federation/aws";

/**
 * Trust for existing Okta service apps in a second AWS account (the data account), without the Okta
 * component: the issuer, audience and client ids come from config.
 */
export function platformProgram() {
  const config = new pulumi.Config();
  const issuerUrl = config.require("issuerUrl");
  const audience = config.require("audience");
  const readers = config.requireObject<Record<string, string>>("readers");
  const data = new aws.Provider("aws-data", {
    region: config.require("region"),
    allowedAccountIds: [config.require("dataAccountId")],
  });

  const oidc = new OidcProvider("okta-dev", { issuerUrl, audience }, { providers: { aws: data } });
  const roles: Record<string, pulumi.Output<string>> = {};
  for (const service of Object.keys(readers).sort()) {
    const role = new ServiceRole(
      `${service}-lake-reader`,
      {
        oidcProviderArn: oidc.providerArn,
        issuerUrl,
        audience,
        clientId: readers[service]!,
        policies: { "s3-read": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
        description: `Okta service ${service} reads the data lake`,
      },
      { providers: { aws: data } },
    );
    roles[service] = role.roleArn;
  }
  return { oidcProviderArn: oidc.providerArn, roles };
}
