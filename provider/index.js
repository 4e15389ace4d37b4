// The component package's runtime entry. Pulumi's nodejs plugin runner (@pulumi/pulumi/cmd/run-plugin)
// requires this directory (PulumiPlugin.yaml `main: provider`), finds the ComponentResource classes
// it exports and hosts them with componentProviderHost, named after ./package.json. The components
// are TypeScript: tsx's require hook loads them (the runner's own ts-node path is switched off in
// PulumiPlugin.yaml, as for the stack program in Pulumi.yaml). The schema itself is derived from
// index.ts's sources by Pulumi's analyzer, not from this file.
require("tsx/cjs");
module.exports = require("./index.ts");
