import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

import { fileURLToPath } from "node:url";

export default defineConfig({
  // Examples import the kit by its package name and its per-side entries, as consumers do.
  resolve: {
    alias: [
      { find: /^okta-federation\/(okta|aws|gcp|azure)$/, replacement: fileURLToPath(new URL("./components/$1/index.ts", import.meta.url)) },
      { find: /^okta-federation$/, replacement: fileURLToPath(new URL("./components/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Worker processes, each running its test files one after another. The Pulumi SDK's runtime state
    // is process-global, and every offline run resets it (setMocks, setAllConfig), so the files of a
    // worker can share their loaded modules: the provider SDKs load once per worker, not per file.
    pool: "forks",
    isolate: false,
    // One worker per core (vitest's default leaves one core free: on 2 cores, one worker in all).
    maxWorkers: availableParallelism(),
    // A hang guard, not a budget: on a busy 2-core machine a test that starts processes may take
    // minutes, and no test asserts on time.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
