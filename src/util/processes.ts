// Whether a process still runs, for files that name their owner by pid (the SQLite server's lock,
// its notifiers' mailboxes): an owner that died leaves them behind for the next one to clear.

/** True if `pid` runs (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
