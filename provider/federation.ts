import * as pulumi from "@pulumi/pulumi";
import { Federation as KitFederation } from "../components/federation";
import { FederationConfigError, parseFederationConfig } from "../components/config";
import { packageToken, withoutUnset } from "./tokens";
import type { AwsSettings, AzureSettings, FederationServiceOutputs, GcpSettings, OktaSettings, ServiceSettings } from "./types";

/** The Federation's inputs: the federation config (`okta-federation:federation`, docs/config.md) as typed inputs. */
export interface FederationArgs {
  /** Environment name, e.g. dev or prod: part of every derived name. */
  environment: string;
  /** Protect the identity roots (authorization server, AWS OIDC provider, GCP pool and providers, Azure identities) from deletion. */
  protect?: boolean;
  /** The Okta org and its custom authorization server. */
  okta: OktaSettings;
  /** The AWS account, when a service uses AWS. */
  aws?: AwsSettings;
  /** The GCP project, when a service uses GCP. */
  gcp?: GcpSettings;
  /** The Azure subscription, when a service uses Azure. */
  azure?: AzureSettings;
  /** The services, keyed by service name (2-30 of a-z, 0-9 and '-'). */
  services: Record<string, ServiceSettings>;
  /** Value of the token hook's auth header (a secret); required when okta.tokenHook is set. */
  tokenHookAuthorization?: pulumi.Input<string>;
  /** Okta app labels by service key, when several federations share one Okta org; by default <environment>-<service>. */
  appLabels?: Record<string, string>;
}

/**
 * The whole federation from one config: the Okta custom authorization server and one service app per
 * service, and the AWS, GCP and Azure trust for exactly those apps. Issuer, audience and client ids
 * flow from the Okta resources into every cloud. The config is validated as a stack file's is
 * (every problem reported at once, with its path). Pass the providers in the resource options
 * (`okta`, `aws`, `gcp`, `azure-native`); the children inherit them.
 */
export class Federation extends pulumi.ComponentResource {
  /** `iss` of every token, exactly. */
  public readonly issuerUrl: pulumi.Output<string>;
  /** `aud` of every token. */
  public readonly audience: pulumi.Output<string>;
  /** The Okta authorization server's id. */
  public readonly authorizationServerId: pulumi.Output<string>;
  /** The custom scope names of the authorization server, sorted. */
  public readonly scopes: pulumi.Output<string[]>;
  /** What each service's workload needs, by service key: client id, AWS role, GCP provider and principal, Azure identity. */
  public readonly services: pulumi.Output<Record<string, FederationServiceOutputs>>;
  /** Client secrets by service key, for client_secret_basic services with keepSecretInState (a secret). */
  public readonly clientSecrets: pulumi.Output<Record<string, string>>;
  /** The IAM OIDC provider (created or adopted), when a service uses AWS. */
  public readonly awsOidcProviderArn?: pulumi.Output<string>;
  /** The workload identity pool's resource name, when a service uses GCP. */
  public readonly gcpPoolName?: pulumi.Output<string>;

  constructor(name: string, args: FederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(packageToken("Federation"), name, {}, opts);
    const { tokenHookAuthorization, appLabels, ...settings } = args;
    let config;
    try {
      config = parseFederationConfig(withoutUnset(settings));
    } catch (error) {
      if (error instanceof FederationConfigError) throw new pulumi.ResourceError(error.message, this, true);
      throw error;
    }
    const federation = new KitFederation(
      name,
      { config, tokenHookAuthorization, appLabels: appLabels === undefined || appLabels === null ? undefined : appLabels },
      { parent: this },
    );
    this.issuerUrl = federation.issuerUrl;
    this.audience = federation.audience;
    this.authorizationServerId = federation.authorizationServerId;
    this.scopes = federation.scopes;
    const entries = Object.entries(federation.services);
    this.services = pulumi.output(
      Object.fromEntries(entries.map(([key, s]) => [key, { clientId: s.clientId, aws: s.aws, gcp: s.gcp, azure: s.azure }])),
    ) as pulumi.Output<Record<string, FederationServiceOutputs>>;
    const secrets = entries.filter(([, s]) => s.clientSecret !== undefined).map(([key, s]) => [key, s.clientSecret!] as const);
    this.clientSecrets = pulumi.secret(pulumi.output(Object.fromEntries(secrets)) as pulumi.Output<Record<string, string>>);
    this.awsOidcProviderArn = federation.awsOidcProviderArn;
    this.gcpPoolName = federation.gcpPoolName;
    this.registerOutputs({
      issuerUrl: this.issuerUrl,
      audience: this.audience,
      authorizationServerId: this.authorizationServerId,
      scopes: this.scopes,
      services: this.services,
      clientSecrets: this.clientSecrets,
      awsOidcProviderArn: this.awsOidcProviderArn,
      gcpPoolName: this.gcpPoolName,
    });
  }
}
