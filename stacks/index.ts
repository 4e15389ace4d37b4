// Entry point for `pulumi up`: the exported function's result becomes the stack outputs.
import { federationProgram } from "./program";

export = federationProgram;
