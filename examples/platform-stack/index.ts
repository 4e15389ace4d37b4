import { platformProgram } from "./program";

export = platformProgram;
