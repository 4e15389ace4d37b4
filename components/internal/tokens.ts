/** The package part of every component type token (`oktafed:<module>:<Type>`). Tokens are frozen once shipped. */
export const PACKAGE = "oktafed";

export function typeToken(module: "okta" | "aws" | "gcp" | "azure" | "index", type: string): string {
  return `${PACKAGE}:${module}:${type}`;
}
