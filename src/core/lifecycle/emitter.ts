import { type IDisposable } from './disposable';

/** A listener registration, shaped like `vscode.Event` so adapters can pass core events straight through. */
export type Event<T> = (listener: (value: T) => void) => IDisposable;

/** A minimal event emitter for the core (which cannot use `vscode.EventEmitter`). */
export class Emitter<T> implements IDisposable {
  private listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        // One failing listener must not starve the others; surface it asynchronously.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
