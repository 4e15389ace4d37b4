import { FederationConfigError, parseFederationConfig, type ConfigProblem, type FederationConfig } from "../../components/config";
import { baseConfig } from "./fixtures";

/** A mutation of a deep copy of the valid base config (one service `payments` on all three clouds). */
export type Mutation = (config: any) => void;

/** Copies the base config, applies `mutate`, parses it and returns the problems of the error it must throw. */
export function problemsOf(mutate: Mutation): ConfigProblem[] {
  const config = structuredClone(baseConfig());
  mutate(config);
  let thrown: unknown;
  try {
    parseFederationConfig(config);
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof FederationConfigError)) {
    throw new Error(`expected a FederationConfigError, got ${thrown === undefined ? "no error (the config parsed)" : String(thrown)}`);
  }
  return [...thrown.problems];
}

/** Copies the base config, applies `mutate` and parses it; it must be valid. */
export function parsed(mutate: Mutation = () => {}): FederationConfig {
  const config = structuredClone(baseConfig());
  mutate(config);
  return parseFederationConfig(config);
}

