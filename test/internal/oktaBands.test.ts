import { describe, expect, it } from "vitest";
import { OKTA_POLICY_BOTTOM, OKTA_PRIORITY_BANDS, oktaBandPriority } from "../../components/internal/oktaPriorities";

describe("team stacks' Okta priority bands", () => {
  it("give every team its own range, all beyond a server's policy count and under 99,999 (the largest priority Okta was seen to accept)", () => {
    const { count, width } = OKTA_PRIORITY_BANDS;
    expect(oktaBandPriority(1, 1)).toBe(OKTA_POLICY_BOTTOM + width + 1);
    expect(oktaBandPriority(count, width)).toBeLessThan(99_999);
    for (let band = 1; band < count; band++) expect(oktaBandPriority(band, width)).toBeLessThan(oktaBandPriority(band + 1, 1));
  });
});
