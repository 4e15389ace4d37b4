/**
 * Preloaded (`node --import tsx --import dev/bench/orgRss.ts <script>`) into each process that
 * `npm run bench -- --org` measures (dev/bench/org.ts): when the process exits, it writes its peak
 * RSS (process.resourceUsage().maxRSS, KiB) to the file named by OKTA_FED_BENCH_RSS_FILE. The
 * script itself runs unchanged, as the main module (tools/plan.ts and tools/verify.ts run only then).
 */
import { writeFileSync } from "node:fs";

const file = process.env.OKTA_FED_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    writeFileSync(file, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
  });
}
