import type * as vscode from 'vscode';

/** One API key in SecretStorage (never in settings or logs), with an environment fallback. */
export class ApiKeyStore {
  private cached: string | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly key: string,
    /** Environment variables read when no key was stored, in order (e.g. GEMINI_API_KEY, GOOGLE_API_KEY). */
    private readonly envNames: readonly string[] = [],
  ) {}

  async get(): Promise<string | undefined> {
    this.cached = (await this.secrets.get(this.key)) || undefined;
    return this.cached ?? this.fromEnv();
  }

  async set(value: string | undefined): Promise<void> {
    if (value) await this.secrets.store(this.key, value);
    else await this.secrets.delete(this.key);
    this.cached = value || undefined;
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      if (e.key === this.key) listener();
    });
  }

  private fromEnv(): string | undefined {
    for (const name of this.envNames) {
      const value = process.env[name]?.trim();
      if (value) return value;
    }
    return undefined;
  }
}
