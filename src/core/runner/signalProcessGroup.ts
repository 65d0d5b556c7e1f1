/**
 * Sends `signal` to every process in the group led by `pid` (the runner is spawned `detached`, so it
 * leads its own group and helpers it forks share it). Returns false when nothing was left to signal.
 * Windows has no process groups; there only the process itself is signalled (MLX itself is macOS/Linux).
 */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
