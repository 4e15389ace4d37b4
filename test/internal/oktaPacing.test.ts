/**
 * How many Okta writes of one federation run at once, and how long one may take
 * (components/internal/oktaPacing.ts): the request deadline rule and the K write lanes.
 */
import { describe, expect, it } from "vitest";
import { oktaAppLane, oktaRequestTimeoutProblem, oktaWriteOrder } from "../../components/internal/oktaPacing";
import { keysOf } from "../helpers/oktaPlans";

describe("okta.provider.requestTimeoutSeconds", () => {
  it("allows 0 (no deadline) and any deadline that covers maxRetries × maxWaitSeconds", () => {
    expect(oktaRequestTimeoutProblem({ requestTimeoutSeconds: 0, maxRetries: 100, maxWaitSeconds: 3600 })).toBeUndefined();
    expect(oktaRequestTimeoutProblem({ requestTimeoutSeconds: 300, maxRetries: 5, maxWaitSeconds: 60 })).toBeUndefined();
    expect(oktaRequestTimeoutProblem({ requestTimeoutSeconds: 300, maxRetries: 1, maxWaitSeconds: 300 })).toBeUndefined();
  });

  it("refuses a deadline shorter than the retries, saying what to set", () => {
    expect(oktaRequestTimeoutProblem({ requestTimeoutSeconds: 60, maxRetries: 10, maxWaitSeconds: 300 })).toBe(
      "60 s would end a rate-limited call before the provider's retries do: the deadline covers the whole call, every retry and every pause of the rate governor included, and maxRetries × maxWaitSeconds is 10 × 300 = 3000 s; set 0 (no deadline, the default) (the provider allows at most 300 s)",
    );
    expect(oktaRequestTimeoutProblem({ requestTimeoutSeconds: 119, maxRetries: 2, maxWaitSeconds: 60 })).toBe(
      "119 s would end a rate-limited call before the provider's retries do: the deadline covers the whole call, every retry and every pause of the rate governor included, and maxRetries × maxWaitSeconds is 2 × 60 = 120 s; set 0 (no deadline, the default) or at least 120",
    );
  });
});

describe("K write lanes", () => {
  it("a service's app lane is a stable hash of its physical key, 1 to K-1 (lane 0 holds the server's writes)", () => {
    expect(["alpha", "bravo", "charlie", "delta", "echo"].map((k) => oktaAppLane(k, 10))).toEqual([9, 9, 5, 5, 7]);
    expect(["alpha", "bravo", "charlie", "delta", "echo"].map((k) => oktaAppLane(k, 3))).toEqual([1, 2, 1, 1, 1]);
    // Every lane of 1 to 9 is used by 1,000 services, none by more than 129.
    const sizes = new Map<number, number>();
    for (const key of keysOf(1000)) sizes.set(oktaAppLane(key, 10), (sizes.get(oktaAppLane(key, 10)) ?? 0) + 1);
    expect([...sizes.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...sizes.values())).toBe(129);
  });

  it("orders one server's policies in key order and each app after the previous app of its lane", () => {
    const order = oktaWriteOrder(["echo", "alpha", "charlie", "bravo", "delta"].map((key) => ({ key, physicalKey: key })), 3);
    expect(order).toEqual({
      chain: ["alpha", "bravo", "charlie", "delta", "echo"],
      appAfter: { alpha: undefined, bravo: undefined, charlie: "alpha", delta: "charlie", echo: "delta" },
      lanes: { 1: ["alpha", "charlie", "delta", "echo"], 2: ["bravo"] },
    });
    // A new service changes only the app that follows it in its lane; a renamed one keeps its lane.
    const added = oktaWriteOrder(["echo", "alpha", "charlie", "bravo", "delta", "berry"].map((key) => ({ key, physicalKey: key })), 3);
    expect(oktaAppLane("berry", 3)).toBe(1);
    expect(added.appAfter).toEqual({ alpha: undefined, berry: "alpha", bravo: undefined, charlie: "berry", delta: "charlie", echo: "delta" });
    expect(oktaWriteOrder([{ key: "zulu", physicalKey: "bravo" }], 3).lanes).toEqual({ 2: ["zulu"] });
  });
});
