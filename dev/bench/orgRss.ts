/**
 * Preloaded (`node --import tsx --import dev/bench/orgRss.ts <script>`) into each process that
 * `npm run bench -- --org` measures (dev/bench/org.ts): when the process exits, it writes its peak
 * RSS (process.resourceUsage().maxRSS, KiB) and its CPU time (user + system, ms: a figure the
 * machine's load moves far less than wall time) to the file named by OKTA_FED_BENCH_RSS_FILE. The
 * script itself runs unchanged, as the main module (tools/plan.ts and tools/verify.ts run only then).
 */
import { writeFileSync } from "node:fs";

const file = process.env.OKTA_FED_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKiB: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
