/** The options of `npm run bench` (dev/bench.ts's header describes each). */

export interface Options {
  sizes: number[];
  runs: number;
  bare: boolean;
  tree: boolean;
  raw: boolean;
  suite: boolean;
  profile: boolean;
  /** Run the plan benchmark (false with --deploy or --verify alone). */
  plan: boolean;
  deploy: boolean;
  verify: boolean;
  scaleSizes: number[];
}

export function parseArgs(argv: string[]): Options {
  const options: Options = { sizes: [10, 100, 500], runs: 3, bare: true, tree: true, raw: true, suite: true, profile: false, plan: true, deploy: true, verify: true, scaleSizes: [100, 500, 1000] };
  const only = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--sizes") options.sizes = value().split(",").map(Number);
    else if (arg === "--runs") options.runs = Number(value());
    else if (arg === "--no-suite") options.suite = false;
    else if (arg === "--no-bare") options.bare = false;
    else if (arg === "--no-tree") options.tree = false;
    else if (arg === "--no-raw") options.raw = false;
    else if (arg === "--profile") options.profile = true;
    else if (arg === "--deploy" || arg === "--verify") only.add(arg.slice(2));
    else if (arg === "--no-deploy") options.deploy = false;
    else if (arg === "--no-verify") options.verify = false;
    else if (arg === "--scale-sizes") options.scaleSizes = value().split(",").map(Number);
    else throw new Error(`unknown option ${arg}; options: --sizes 10,100,500 --runs 3 --no-bare --no-tree --no-raw --no-suite --profile --deploy --verify --no-deploy --no-verify --scale-sizes 100,500,1000`);
  }
  if (only.size > 0) Object.assign(options, { plan: false, suite: false, deploy: only.has("deploy"), verify: only.has("verify") });
  if ([...options.sizes, ...options.scaleSizes].some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--sizes, --scale-sizes: positive integers, comma-separated");
  if (!Number.isInteger(options.runs) || options.runs < 3) throw new Error("--runs: at least 3 (the median of 3 or more runs is reported)");
  return options;
}
