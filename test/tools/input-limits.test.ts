/**
 * Input limits (components/internal/inputLimits.ts): hostile or broken plans, exports, stack outputs
 * and stack files get one line naming the file and exit code 2, never a stack overflow, an
 * out-of-memory crash or a followed link. Each case here crashed, was followed or was answered
 * otherwise before the limits.
 */
import { spawnSync } from "node:child_process";
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputLimitError, JSON_INPUT_LIMITS, STACK_FILE_LIMITS, checkJsonLimits, measureJson, readJsonLimited } from "../../components/internal/inputLimits";
import { parseStackYaml, StackFileError } from "../../tools/offline/stackFile";
import { main as plan } from "../../tools/plan";
import { main as verify } from "../../tools/verify";
import { credentialsCommand } from "../../workload/credentials";
import { readJsonFileLimited, readStreamLimited } from "../../workload/limitedRead";
import { runCli } from "../helpers/cli";
import { fixturePath, fixtureText } from "../helpers/stacks";

const DEEP = 200_000;
/** `{"a":` 200,000 times: JSON.parse reads it (it does not recurse); a recursive walk of it overflows. */
const deepObject = (n: number, inner = "1") => `${'{"a":'.repeat(n)}${inner}${"}".repeat(n)}`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "input-limits-"));
});
// The sparse files are 128 MiB each by their size: removed, whatever the file system makes of them.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
/** A sparse file of `bytes` bytes: as large as asked on `stat`, nothing written (the limits refuse it before reading). */
const sparse = (name: string, bytes: number) => {
  const path = join(dir, name);
  const fd = openSync(path, "w");
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
};

describe("the JSON limits, stated once", () => {
  it("are the documented numbers", () => {
    expect(JSON_INPUT_LIMITS).toEqual({ maxBytes: 134_217_728, maxDepth: 256, maxValues: 4_000_000 });
    expect(STACK_FILE_LIMITS).toEqual({ maxBytes: 4_194_304, maxDepth: 64, maxTokens: 500_000, maxAliasCount: 100 });
  });

  it("measureJson counts nesting and values in one pass, without parsing: strings, escapes and keys as JSON reads them", () => {
    expect(measureJson("1")).toEqual({ depth: 0, values: 1 });
    expect(measureJson("[]")).toEqual({ depth: 1, values: 1 });
    expect(measureJson('{"a": [1, true, null, "x]]]{{{\\"", -2.5e3], "b": {}}')).toEqual({ depth: 2, values: 8 });
    expect(measureJson(deepObject(DEEP))).toEqual({ depth: DEEP, values: DEEP + 1 });
  });

  it("readJsonLimited refuses beyond each limit with one line, before parsing", () => {
    const what = "plan p.json";
    const refused = (text: string, limits = JSON_INPUT_LIMITS) => {
      try {
        readJsonLimited(text, what, "an offline plan", limits);
      } catch (error) {
        expect(error).toBeInstanceOf(InputLimitError);
        return (error as Error).message;
      }
      return "accepted";
    };
    expect(refused(deepObject(DEEP))).toBe("plan p.json is nested 200000 levels deep (at most 256): not an offline plan");
    expect(refused(deepObject(256))).toBe("accepted");
    expect(refused(deepObject(257))).toBe("plan p.json is nested 257 levels deep (at most 256): not an offline plan");
    expect(refused(`[${"0,".repeat(4_000_000)}0]`)).toBe("plan p.json holds 4000002 JSON values (at most 4000000): not an offline plan");
    // Bytes are UTF-8 bytes: "é" is two.
    expect(refused('"éé"', { ...JSON_INPUT_LIMITS, maxBytes: 5 })).toBe("plan p.json is 6 bytes (at most 5 bytes): not an offline plan");
    expect(() => checkJsonLimits("{", what, "an offline plan")).not.toThrow();
    expect(() => readJsonLimited("{", what, "an offline plan")).toThrow(SyntaxError);
  });

  it("a file larger than the limit is refused before it is read; a stream stops at the limit", async () => {
    const huge = sparse("huge.json", JSON_INPUT_LIMITS.maxBytes + 1);
    expect(() => readJsonFileLimited(huge, `plan ${huge}`, "an offline plan")).toThrow(
      new InputLimitError(`plan ${huge} is 134217729 bytes (at most 134217728 bytes, 128 MiB): not an offline plan`),
    );
    let pulled = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          pulled++;
          yield Buffer.alloc(4, "x");
        }
      })(),
    );
    await expect(readStreamLimited(endless, "stdin", "the output of pulumi stack output --json", 10)).rejects.toThrow(
      new InputLimitError("stdin is more than 10 bytes (at most 10 bytes): not the output of pulumi stack output --json"),
    );
    expect(pulled).toBeLessThan(100); // what the stream buffered ahead, not an endless read
  });
});

describe("verify refuses JSON beyond the limits with one line and exit 2", () => {
  const state = (inner: string) => `{"version":3,"deployment":{"resources":[{"urn":"urn:pulumi:dev::p::okta:auth/server:Server::s","type":"okta:auth/server:Server","custom":true,"inputs":${inner}}]}}`;

  it.each([
    ["--state, a document nested 200,000 levels", "--state", () => deepObject(DEEP), (p: string) => `state ${p} is nested 200000 levels deep (at most 256): not a Pulumi stack export`],
    ["--state, an export with a deep value (redactState used to overflow)", "--state", () => state(deepObject(DEEP)), (p: string) => `state ${p} is nested 200004 levels deep (at most 256): not a Pulumi stack export`],
    ["--plan", "--plan", () => `{"kind":"okta-federation/offline-plan","stack":"dev","resources":[${deepObject(DEEP)}]}`, (p: string) => `plan ${p} is nested 200002 levels deep (at most 256): not an offline plan`],
    [
      "--plan, more than 4,000,000 values",
      "--plan",
      () => `{"kind":"okta-federation/offline-plan","stack":"dev","resources":[${"0,".repeat(3_999_996)}0]}`,
      (p: string) => `plan ${p} holds 4000001 JSON values (at most 4000000): not an offline plan`,
    ],
  ])("%s", async (name, flag, content, message) => {
    const path = file(`${name.replace(/\W+/g, "-")}.json`, content());
    const { code, stdout, stderr } = await runCli(verify, flag, path);
    expect([code, stdout, stderr]).toEqual([2, "", `error: ${message(path)}\n`]);
  });

  it("--base, a plan or an export nested 200,000 levels deep", async () => {
    const path = file("deep-base.json", state(deepObject(DEEP)));
    const { code, stdout, stderr } = await runCli(verify, "--stack-file", fixturePath("dev"), "--base", path);
    expect([code, stdout, stderr]).toEqual([2, "", `error: base plan ${path} is nested 200004 levels deep (at most 256): not an offline plan or a Pulumi stack export\n`]);
  });

  it.each([
    ["--state", "state", "a Pulumi stack export"],
    ["--plan", "plan", "an offline plan"],
  ])("%s larger than 128 MiB: refused before it is read", async (flag, what, expected) => {
    const path = sparse(`huge-${what}.json`, JSON_INPUT_LIMITS.maxBytes + 1);
    const { code, stdout, stderr } = await runCli(verify, flag, path);
    expect([code, stdout, stderr]).toEqual([2, "", `error: ${what} ${path} is 134217729 bytes (at most 134217728 bytes, 128 MiB): not ${expected}\n`]);
  });

  it("--base larger than 128 MiB", async () => {
    const path = sparse("huge-base.json", JSON_INPUT_LIMITS.maxBytes + 1);
    const { code, stderr } = await runCli(verify, "--stack-file", fixturePath("dev"), "--base", path);
    expect([code, stderr]).toEqual([2, `error: base plan ${path} is 134217729 bytes (at most 134217728 bytes, 128 MiB): not an offline plan or a Pulumi stack export\n`]);
  });
});

describe("okta-federation credentials refuses stack outputs beyond the limits", () => {
  it("outputs nested 200,000 levels deep, from a file and on stdin", async () => {
    const path = file("deep-outputs.json", deepObject(DEEP));
    const fromFile = await runCli(credentialsCommand, "--outputs", path, "--service", "payments", "--cloud", "gcp");
    expect([fromFile.code, fromFile.stderr]).toEqual([2, `error: ${path} is nested 200000 levels deep (at most 256): not the output of pulumi stack output --json\n`]);
    let stderr = "";
    const code = await credentialsCommand(["--outputs", "-", "--service", "payments", "--cloud", "gcp"], { stdout: () => {}, stderr: (t) => void (stderr += t) }, async () => deepObject(DEEP));
    expect([code, stderr]).toEqual([2, "error: stdin is nested 200000 levels deep (at most 256): not the output of pulumi stack output --json\n"]);
  });

  it("an outputs file larger than 128 MiB", async () => {
    const path = sparse("huge-outputs.json", JSON_INPUT_LIMITS.maxBytes + 1);
    const { code, stderr } = await runCli(credentialsCommand, "--outputs", path, "--service", "payments", "--cloud", "gcp");
    expect([code, stderr]).toEqual([2, `error: ${path} is 134217729 bytes (at most 134217728 bytes, 128 MiB): not the output of pulumi stack output --json\n`]);
  });
});

describe("stack files: size, tokens, nesting, aliases, and regular files only", () => {
  const where = (file: string) => ({ project: "okta-federation", stack: "x", file });
  const refusal = (text: string, file = "Pulumi.x.yaml") => {
    try {
      parseStackYaml(text, where(file));
    } catch (error) {
      expect(error).toBeInstanceOf(StackFileError);
      expect((error as StackFileError).problems).toEqual([]); // one line, exit code 2
      return (error as Error).message;
    }
    return "accepted";
  };

  it("a billion-laughs document (anchors repeated through aliases) is refused by yaml's maxAliasCount", () => {
    let text = "config:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (let i = 0, prev = "a"; i < 9; prev = `l${i}`, i++) text += `  l${i}: &l${i} [${Array(9).fill(`*${prev}`).join(", ")}]\n`;
    expect(text.length).toBeLessThan(600);
    expect(refusal(text)).toBe(
      "Pulumi.x.yaml repeats YAML anchors through aliases beyond the limit (maxAliasCount 100): refused, as a billion-laughs document would expand to billions of nodes",
    );
  });

  it("nesting beyond 64 levels, in flow or block style, is refused before the (recursive) composer sees it, with its line", () => {
    expect(refusal(`config:\n  x: ${"[".repeat(DEEP)}${"]".repeat(DEEP)}\n`)).toBe("Pulumi.x.yaml is nested more than 64 levels deep, at line 2 (at most 64): not a stack file");
    expect(refusal(`config:\n  x:\n    ${"- ".repeat(DEEP)}x\n`)).toBe("Pulumi.x.yaml is nested more than 64 levels deep, at line 3 (at most 64): not a stack file");
    // `depth` nested maps: the root, then one map per indented line, the deepest opening on line `depth`.
    const block = (depth: number) => `config:\n${Array.from({ length: depth - 2 }, (_, i) => `${"  ".repeat(i + 1)}k:\n`).join("")}${"  ".repeat(depth - 1)}k: v\n`;
    expect(refusal(block(64))).toBe("accepted");
    expect(refusal(block(65))).toBe("Pulumi.x.yaml is nested more than 64 levels deep, at line 65 (at most 64): not a stack file");
  });

  it("aliases that nest anchored collections beyond 64 levels are refused once expanded", () => {
    const nest = (inner: string) => `${"[".repeat(30)}${inner}${"]".repeat(30)}`;
    let text = `config:\n  a0: &a0 ${nest("x")}\n`;
    for (let i = 1; i < 4; i++) text += `  a${i}: &a${i} ${nest(`*a${i - 1}`)}\n`;
    expect(refusal(text)).toBe("Pulumi.x.yaml is nested more than 64 levels deep once its aliases are expanded (at most 64): not a stack file");
  });

  it("more than 500,000 YAML tokens, or more than 4 MiB, is refused", () => {
    expect(refusal(`config:\n  x:\n${"  - 1\n".repeat(100_001)}`)).toBe("Pulumi.x.yaml holds more than 500000 YAML tokens (at most 500000): not a stack file");
    expect(refusal(`config:\n  x: "${"é".repeat(STACK_FILE_LIMITS.maxBytes / 2)}"\n`)).toBe("Pulumi.x.yaml is 4194320 bytes (at most 4194304 bytes, 4 MiB): not a stack file");
  });

  it("plan --stack-file refuses a file larger than 4 MiB before reading it", async () => {
    const path = sparse("Pulumi.huge.yaml", STACK_FILE_LIMITS.maxBytes + 1);
    const { code, stdout, stderr } = await runCli(plan, "--stack-file", path);
    expect([code, stdout, stderr]).toEqual([2, "", `error: ${path} is 4194305 bytes (at most 4194304 bytes, 4 MiB): not a stack file\n`]);
  });

  it("a symbolic link is refused without following it or naming its target, whether the target is a stack file or not", async () => {
    const secretDir = join(dir, "target-7f3c9a21");
    mkdirSync(secretDir);
    const target = join(secretDir, "Pulumi.target.yaml");
    writeFileSync(target, `${fixtureText("dev")}\n# marker-5d1e8b: content that must not be printed\n`);
    for (const [name, to] of [
      ["Pulumi.evil.yaml", target],
      ["Pulumi.system.yaml", "/etc/passwd"],
      ["Pulumi.dangling.yaml", join(secretDir, "absent")],
    ] as const) {
      const link = join(dir, name);
      symlinkSync(to, link);
      const { code, stdout, stderr } = await runCli(plan, "--stack-file", link);
      expect([code, stdout, stderr]).toEqual([2, "", `error: ${link} is a symbolic link, not a regular file: refused (stack files are read as data, never followed)\n`]);
      expect(stderr).not.toMatch(/target-7f3c9a21|marker-5d1e8b|\/etc\/|root:/);
    }
  });

  it("a directory, and a FIFO (opening one would wait for a writer), are refused", async () => {
    const folder = join(dir, "Pulumi.folder.yaml");
    mkdirSync(folder);
    const refusedFolder = await runCli(verify, "--stack-file", folder);
    expect([refusedFolder.code, refusedFolder.stderr]).toEqual([2, `error: ${folder} is a directory, not a regular file: refused (stack files are read as data, never followed)\n`]);
    if (process.platform === "win32") return;
    const fifo = join(dir, "Pulumi.fifo.yaml");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const refusedFifo = await runCli(plan, "--stack-file", fifo);
    expect([refusedFifo.code, refusedFifo.stderr]).toEqual([2, `error: ${fifo} is a FIFO, not a regular file: refused (stack files are read as data, never followed)\n`]);
  });

  it("the example stacks are well within the limits", () => {
    for (const stack of ["dev", "prod", "multi"]) expect(refusal(fixtureText(stack), fixturePath(stack))).toBe("accepted");
  });
});
