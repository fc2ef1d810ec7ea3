// One server per SQLite file: SQLite cannot coordinate two servers' queues and caches, so a
// second `./skein start` on the same DATA_DIR is refused. Admin commands do not take the lock;
// SQLite's WAL mode lets them work beside the running server.
import fs from "node:fs";
import path from "node:path";
import { processAlive as alive } from "../util/processes.ts";

export class ServerLockError extends Error {}


/** Takes the lock for this process; returns a function that releases it. */
export function acquireServerLock(databaseFile: string): () => void {
  const lockFile = `${databaseFile}.lock`;
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      const release = () => {
        try {
          if (fs.readFileSync(lockFile, "utf8") === String(process.pid)) fs.unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(fs.readFileSync(lockFile, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new ServerLockError(
          `Another Skein server (pid ${holder}) is already using ${databaseFile}. Stop it first, or use PostgreSQL (DATABASE_URL) to run several processes.`,
        );
      }
      // Left behind by a server that crashed: take it over.
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new ServerLockError(`Could not take the lock ${lockFile}`);
}
