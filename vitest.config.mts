import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each file runs in its own process: the Pulumi SDK's runtime state is process-global.
    pool: "forks",
    testTimeout: 30_000,
  },
});
