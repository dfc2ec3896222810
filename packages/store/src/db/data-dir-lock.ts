import fs from 'node:fs';
import path from 'node:path';

const LOCK_FILE = 'confide.lock';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`The data folder ${dataDir} is in use by another Confide process (pid ${pid}). Stop it first.`);
    this.name = 'DataDirInUseError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock on a PGlite data folder. PGlite is PostgreSQL in single-user mode with no postmaster
 * lock of its own that another process would honour, so two processes opening one folder would corrupt it.
 * The lock is a file created with O_EXCL that holds the owner's pid; a lock whose owner is gone (kill -9)
 * is taken over.
 */
export class DataDirLock {
  private released = false;

  private constructor(readonly file: string) {}

  static acquire(dataDir: string): DataDirLock {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return new DataDirLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
        throw new DataDirInUseError(dataDir, pid);
      }
      // Stale lock: its owner died. Remove it and race for a fresh one (O_EXCL picks one winner).
      fs.rmSync(file, { force: true });
    }
    throw new Error(`Could not lock the data folder ${dataDir}`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (fs.readFileSync(this.file, 'utf8').trim() === String(process.pid)) fs.rmSync(this.file, { force: true });
    } catch {
      // already gone
    }
  }
}
