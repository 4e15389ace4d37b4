/**
 * The sandbox's throwaway RSA keys, made once per process and name: a 2048-bit key takes about a
 * quarter of a second on a small machine, and nothing the sandbox proves depends on a key being new.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";

const made = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

export function sandboxKeyPair(name: string): { privateKey: KeyObject; publicKey: KeyObject } {
  let pair = made.get(name);
  if (!pair) {
    pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    made.set(name, pair);
  }
  return pair;
}
