/**
 * Reading users' files within the input limits (components/internal/inputLimits.ts): a file larger
 * than the limit is refused before it is read (a regular file by its size; a pipe, such as
 * `--state <(pulumi stack export)`, or a device is read up to the limit and no further), so a huge
 * or endless input is one line, not an out-of-memory crash.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InputLimitError, JSON_INPUT_LIMITS, readJsonLimited, tooLargeMessage } from "../components/internal/inputLimits";

export { InputLimitError, JSON_INPUT_LIMITS, STACK_FILE_LIMITS, checkJsonLimits, readJsonLimited } from "../components/internal/inputLimits";

const CHUNK = 1024 * 1024;

/**
 * The bytes of an open file, or `tooLarge` when it holds more than `maxBytes`: its size for a
 * regular file (known before reading), undefined for a stream read up to `maxBytes + 1`.
 */
export function readOpenFileLimited(fd: number, maxBytes: number): { bytes: Buffer } | { tooLarge: number | undefined } {
  const stat = fstatSync(fd);
  if (stat.isFile() && stat.size > maxBytes) return { tooLarge: stat.size };
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    chunks.push(chunk.subarray(0, n));
    // A regular file that grew while it was read counts as large as what was read; a stream stops here.
    if (total > maxBytes) return { tooLarge: stat.isFile() ? total : undefined };
  }
  return { bytes: Buffer.concat(chunks, total) };
}

/**
 * A file's text (UTF-8), refused with an InputLimitError when larger than `maxBytes`:
 * `<what> is 300000000 bytes (at most 134217728 bytes, 128 MiB): not <expected>`. Errors of the
 * file system (ENOENT, EISDIR, …) are thrown as they are, for the caller's "cannot read" line.
 */
export function readFileLimited(path: string, what: string, expected: string, maxBytes: number = JSON_INPUT_LIMITS.maxBytes): string {
  const fd = openSync(path, "r");
  try {
    const read = readOpenFileLimited(fd, maxBytes);
    if ("tooLarge" in read) throw new InputLimitError(tooLargeMessage(what, read.tooLarge, maxBytes, expected));
    return read.bytes.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * A JSON file from a user (a plan, an export, stack outputs; untrusted, e.g. plans written by a pull
 * request's code), parsed within JSON_INPUT_LIMITS. Throws an InputLimitError (one line, naming
 * `what`, e.g. "plan plan.json", and saying it is not `expected`, e.g. "an offline plan") beyond
 * a limit, the file system's error when it cannot be read, and JSON.parse's SyntaxError when it is
 * not JSON.
 */
export function readJsonFileLimited(path: string, what: string, expected: string, limits: typeof JSON_INPUT_LIMITS = JSON_INPUT_LIMITS): unknown {
  return readJsonLimited(readFileLimited(path, what, expected, limits.maxBytes), what, expected, limits);
}

/** A stream's text (stdin), refused once more than `maxBytes` arrived: reading stops there. */
export async function readStreamLimited(stream: AsyncIterable<Buffer | string>, what: string, expected: string, maxBytes: number = JSON_INPUT_LIMITS.maxBytes): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    total += bytes.length;
    if (total > maxBytes) throw new InputLimitError(tooLargeMessage(what, undefined, maxBytes, expected));
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}
