"""A Python program composing the okta-federation component package (docs/languages.md).

Not run in this repository (no Pulumi CLI here): see README.md. `pulumi package add ../..`
generates the SDK imported below (module pulumi_okta_federation) from the package schema.
"""

import pulumi
import pulumi_aws as aws
import pulumi_azure_native as azure_native
import pulumi_gcp as gcp
import pulumi_okta as okta
import pulumi_okta_federation as okta_federation

# Explicit providers, one per org, account, project and subscription: the Federation's children inherit them.
providers = [
    okta.Provider("okta", org_name="acme", base_url="okta.com"),
    aws.Provider("aws", region="eu-west-1", allowed_account_ids=["111111111111"]),
    gcp.Provider("gcp", project="acme-identity-dev"),
    azure_native.Provider(
        "azure",
        subscription_id="00000000-0000-0000-0000-000000000001",
        tenant_id="00000000-0000-0000-0000-0000000000aa",
    ),
]

federation = okta_federation.Federation(
    "federation",
    environment="dev",
    okta=okta_federation.OktaSettingsArgs(
        org_name="acme",
        authorization_server=okta_federation.AuthorizationServerSettingsArgs(
            name="services-dev",
            audience="api://services-dev",
        ),
        scopes={
            "api.read": okta_federation.ScopeSettingsArgs(description="Read the API"),
            "events.publish": okta_federation.ScopeSettingsArgs(),
        },
        token_lifetime_minutes=30,
    ),
    aws=okta_federation.AwsSettingsArgs(account_id="111111111111", region="eu-west-1"),
    gcp=okta_federation.GcpSettingsArgs(project="acme-identity-dev"),
    azure=okta_federation.AzureSettingsArgs(
        subscription_id="00000000-0000-0000-0000-000000000001",
        tenant_id="00000000-0000-0000-0000-0000000000aa",
        resource_group="identities-dev",
        location="westeurope",
    ),
    services={
        "payments": okta_federation.ServiceSettingsArgs(
            description="Payments API",
            scopes=["api.read"],
            auth=okta_federation.ServiceAuthSettingsArgs(
                method="private_key_jwt",
                jwks_uri="https://payments.example.com/.well-known/jwks.json",
            ),
            aws=okta_federation.AwsServiceSettingsArgs(
                policies={
                    "s3-read": okta_federation.ManagedPolicySettingsArgs(
                        arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
                    ),
                },
            ),
            gcp=okta_federation.GcpServiceSettingsArgs(
                roles=[okta_federation.GcpRoleSettingsArgs(role="roles/storage.objectViewer")],
            ),
        ),
        "events": okta_federation.ServiceSettingsArgs(
            scopes=["events.publish"],
            auth=okta_federation.ServiceAuthSettingsArgs(
                method="private_key_jwt",
                jwks_uri="https://events.example.com/.well-known/jwks.json",
            ),
            azure=okta_federation.AzureServiceSettingsArgs(
                role_assignments={
                    "blob-reader": okta_federation.AzureRoleAssignmentSettingsArgs(
                        role="Storage Blob Data Reader",
                        scope="/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/events-dev",
                    ),
                },
            ),
        ),
    },
    opts=pulumi.ResourceOptions(providers=providers),
)

pulumi.export("issuerUrl", federation.issuer_url)
pulumi.export("audience", federation.audience)
pulumi.export("paymentsClientId", federation.services.apply(lambda s: s["payments"].client_id))
pulumi.export("paymentsRoleArn", federation.services.apply(lambda s: s["payments"].aws.role_arn))
pulumi.export("eventsAzureClientId", federation.services.apply(lambda s: s["events"].azure.client_id))
