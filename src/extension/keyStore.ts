import * as vscode from 'vscode';

const INDEX_KEY = 'sessionLens.verificationKeys';
const SECRET_PREFIX = 'sessionLens.key.';

/**
 * Verification keys and secrets the user entered, kept in VS Code's SecretStorage (the OS
 * keychain), never in settings or files. Only the names the user chose are kept in global state.
 */
export class KeyStore {
  constructor(private readonly context: vscode.ExtensionContext) {}

  names(): string[] {
    const v = this.context.globalState.get<unknown>(INDEX_KEY, []);
    return Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : [];
  }

  async get(name: string): Promise<string | undefined> {
    return this.context.secrets.get(SECRET_PREFIX + name);
  }

  async store(name: string, keyText: string): Promise<void> {
    await this.context.secrets.store(SECRET_PREFIX + name, keyText);
    const names = this.names().filter((n) => n !== name);
    await this.context.globalState.update(INDEX_KEY, [...names, name]);
  }

  async forgetAll(): Promise<number> {
    const names = this.names();
    for (const n of names) await this.context.secrets.delete(SECRET_PREFIX + n);
    await this.context.globalState.update(INDEX_KEY, []);
    return names.length;
  }
}
