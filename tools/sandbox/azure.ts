/**
 * The sandbox's Microsoft Entra ID: an emulator of what MSAL (inside @azure/identity's
 * WorkloadIdentityCredential) asks of it, deciding as Entra does for a user-assigned managed identity
 * with federated identity credentials, from the (materialized) plan; and `azureWorkload`, the
 * workload's side: WorkloadIdentityCredential as a user runs it.
 *
 * By responsibility:
 * - azureToken.ts: the token endpoint's decisions, in order, with the sources of each error, the
 *   token it issues, and what is not emulated;
 * - azureServer.ts: the emulator over HTTP (discovery, tenant metadata, keys, the token request;
 *   Entra's error body);
 * - azureWorkload.ts: the workload's side (the credential, and the SDK's HTTP client that carries
 *   its requests for the https authority to the emulator).
 */
export { startEntra } from "./azureServer";
export { azureWorkload, pipelineHeaders } from "./azureWorkload";
