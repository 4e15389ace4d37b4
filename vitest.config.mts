import { defineConfig } from "vitest/config";

import { fileURLToPath } from "node:url";

export default defineConfig({
  // Examples import the kit by its package name, as consumers do.
  resolve: { alias: { "okta-federation": fileURLToPath(new URL("./components/index.ts", import.meta.url)) } },
  test: {
    include: ["test/**/*.test.ts"],
    // Each file runs in its own process: the Pulumi SDK's runtime state is process-global.
    pool: "forks",
    testTimeout: 30_000,
  },
});
