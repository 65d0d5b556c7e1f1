/** Anything with a `dispose()`; structurally the same as `vscode.Disposable`, so the core needs no vscode import. */
export interface IDisposable {
  dispose(): unknown;
}

/**
 * Owns child disposables. Anything registered after `dispose()` is disposed at once,
 * so a late async registration cannot leak a listener or a process.
 */
export class Disposable implements IDisposable {
  private readonly children = new Set<IDisposable>();
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  protected _register<T extends IDisposable>(child: T): T {
    if (this.disposed) {
      child.dispose();
    } else {
      this.children.add(child);
    }
    return child;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const child of [...this.children].reverse()) {
      try {
        child.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    this.children.clear();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'Several disposables failed');
  }
}

/** Wraps a callback as a disposable that runs once. */
export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}
