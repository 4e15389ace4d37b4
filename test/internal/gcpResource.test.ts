import { describe, expect, it } from "vitest";
import { GCP_RESOURCE_KINDS, gcpResourceText, parseGcpResource } from "../../components/internal/gcpResource";

const SUPPORTED = GCP_RESOURCE_KINDS.join(", ");

describe("parseGcpResource: full resource names of the supported kinds, by their segments", () => {
  it.each([
    ["//storage.googleapis.com/projects/_/buckets/bar-orders-dev", { kind: "bucket", bucket: "bar-orders-dev" }, "bucket bar-orders-dev"],
    ["//pubsub.googleapis.com/projects/acme-dev-example/topics/orders", { kind: "topic", project: "acme-dev-example", topic: "orders" }, "Pub/Sub topic orders (project acme-dev-example)"],
    ["//pubsub.googleapis.com/projects/acme-dev-example/subscriptions/orders-sub", { kind: "subscription", project: "acme-dev-example", subscription: "orders-sub" }, "Pub/Sub subscription orders-sub (project acme-dev-example)"],
    ["//secretmanager.googleapis.com/projects/acme-dev-example/secrets/db-password", { kind: "secret", project: "acme-dev-example", secret: "db-password" }, "secret db-password (project acme-dev-example)"],
    ["//bigquery.googleapis.com/projects/acme-dev-example/datasets/sales_2026", { kind: "dataset", project: "acme-dev-example", dataset: "sales_2026" }, "BigQuery dataset sales_2026 (project acme-dev-example)"],
    [
      "//artifactregistry.googleapis.com/projects/acme-dev-example/locations/europe-west1/repositories/images",
      { kind: "repository", project: "acme-dev-example", location: "europe-west1", repository: "images" },
      "Artifact Registry repository images (project acme-dev-example, europe-west1)",
    ],
    [
      "//iam.googleapis.com/projects/acme-dev-example/serviceAccounts/dev-reporting@acme-dev-example.iam.gserviceaccount.com",
      { kind: "service-account", project: "acme-dev-example", email: "dev-reporting@acme-dev-example.iam.gserviceaccount.com" },
      "service account dev-reporting@acme-dev-example.iam.gserviceaccount.com",
    ],
  ])("%s", (name, resource, text) => {
    const parsed = parseGcpResource(name);
    expect(parsed).toEqual({ ok: true, resource });
    expect(gcpResourceText(resource as never)).toBe(text);
  });

  it.each([
    "//compute.googleapis.com/projects/acme-dev-example/zones/europe-west1-b/instances/vm-1",
    "storage.googleapis.com/projects/_/buckets/orders",
    "//storage.googleapis.com/projects/_/buckets/orders/objects/a.txt",
    "//pubsub.googleapis.com/projects/acme-dev-example/topics",
    "//pubsub.googleapis.com/projects/acme-dev-example/topics/orders/",
    "//evil.example/storage.googleapis.com/projects/_/buckets/orders",
    "//cloudresourcemanager.googleapis.com/projects/acme-dev-example",
  ])("refuses %s with the list of supported kinds", (name) => {
    expect(parseGcpResource(name)).toEqual({ ok: false, message: `"${name}" is not a full resource name of a supported kind; supported: ${SUPPORTED}` });
  });

  it.each([
    ["//storage.googleapis.com/projects/_/buckets/Orders", '"//storage.googleapis.com/projects/_/buckets/Orders": bucket name "Orders" is not valid'],
    ["//storage.googleapis.com/projects/acme-dev-example/buckets/orders", '"//storage.googleapis.com/projects/acme-dev-example/buckets/orders": a bucket\'s full resource name has project "_" (//storage.googleapis.com/projects/_/buckets/<bucket>)'],
    ["//pubsub.googleapis.com/projects/Acme/topics/orders", '"//pubsub.googleapis.com/projects/Acme/topics/orders": project id "Acme" is not valid'],
    ["//pubsub.googleapis.com/projects/acme-dev-example/topics/goog-x", '"//pubsub.googleapis.com/projects/acme-dev-example/topics/goog-x": topic id "goog-x" is not valid'],
    ["//iam.googleapis.com/projects/acme-dev-example/serviceAccounts/123456", '"//iam.googleapis.com/projects/acme-dev-example/serviceAccounts/123456": service account email "123456" is not valid'],
    ["//artifactregistry.googleapis.com/projects/acme-dev-example/locations/EU/repositories/images", '"//artifactregistry.googleapis.com/projects/acme-dev-example/locations/EU/repositories/images": location "EU" is not valid'],
  ])("refuses a malformed segment: %s", (name, message) => {
    expect(parseGcpResource(name)).toEqual({ ok: false, message });
  });
});
