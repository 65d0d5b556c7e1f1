import type * as vscode from 'vscode';

const KEY = 'mlx.huggingFaceToken';

/** The Hugging Face token lives only in SecretStorage (never in settings or logs). */
export class HfTokenStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(): Thenable<string | undefined> {
    return this.secrets.get(KEY);
  }

  async set(token: string | undefined): Promise<void> {
    if (token) await this.secrets.store(KEY, token);
    else await this.secrets.delete(KEY);
  }

  /** Fires when the token changes (also from another window). */
  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      if (e.key === KEY) listener();
    });
  }
}
