import { spawn } from "node:child_process";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataFolderInUseError, lockAddress, lockDataFolder } from "./data-folder-lock.js";

describe("lockDataFolder", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), "todo-lock-unit-")));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("derives one address per real folder, in the abstract namespace on Linux", () => {
    expect(lockAddress("/a/b", "linux")).toMatch(/^\0todo-pglite:[0-9a-f]{64}$/);
    expect(lockAddress("/a/b", "linux")).not.toBe(lockAddress("/a/c", "linux"));
    expect(lockAddress("C:\\data", "win32")).toMatch(/^\\\\\?\\pipe\\todo-pglite-[0-9a-f]{64}$/);
    expect(lockAddress("/a/b", "darwin").endsWith(".sock")).toBe(true);
  });

  it("refuses a second holder, naming the folder and the owner's pid, until the first releases", async () => {
    const lock = await lockDataFolder(join(dir, "a", "..", "a"));
    expect(lock.dir).toBe(join(dir, "a"));
    const refused = await lockDataFolder(join(dir, "a")).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataFolderInUseError);
    expect((refused as DataFolderInUseError).ownerPid).toBe(process.pid);
    expect((refused as Error).message).toContain(`${join(dir, "a")} is in use by process ${process.pid}`);
    await lock.release();
    const again = await lockDataFolder(join(dir, "a"));
    await again.release();
  });

  it("is freed by the kernel when its owner is killed with SIGKILL", async () => {
    const folder = join(dir, "b");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `const { lockDataFolder } = await import(${JSON.stringify(join(import.meta.dirname, "data-folder-lock.ts"))});
         await lockDataFolder(${JSON.stringify(folder)});
         console.log("locked");
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    const refused = await lockDataFolder(folder).catch((e: unknown) => e);
    expect((refused as DataFolderInUseError).ownerPid).toBe(child.pid);

    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const lock = await lockDataFolder(folder);
    await lock.release();
  });
});
