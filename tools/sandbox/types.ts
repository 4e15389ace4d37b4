/** What the sandbox's pieces share. */

/** How one exchange ended, as the workload's SDK reported it. */
export type ExchangeOutcome =
  | { readonly ok: true; /** What the workload got, in words (e.g. "credentials for role …"). */ readonly detail: string }
  | { readonly ok: false; /** The cloud's error code, as its SDK surfaced it (InvalidIdentityToken, invalid_grant, AADSTS700213…). */ readonly code: string; readonly message: string };

/** A cloud emulator on loopback. */
export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}
