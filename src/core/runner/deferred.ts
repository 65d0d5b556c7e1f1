/** A promise settled from outside, that knows whether it already was. */
export class Deferred<T> {
  readonly promise: Promise<T>;
  private _settled = false;
  private resolveFn!: (value: T) => void;
  private rejectFn!: (reason: unknown) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    // Nobody may be waiting (a restart nobody asked for); a rejection must not become "unhandled".
    this.promise.catch(() => undefined);
  }

  get settled(): boolean {
    return this._settled;
  }

  resolve(value: T): void {
    if (this._settled) return;
    this._settled = true;
    this.resolveFn(value);
  }

  reject(reason: unknown): void {
    if (this._settled) return;
    this._settled = true;
    this.rejectFn(reason);
  }
}
