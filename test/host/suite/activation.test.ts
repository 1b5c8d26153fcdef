import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, type SessionLensApi, waitFor } from './helpers';

describe('Session Lens in a real extension host', () => {
  let api: SessionLensApi;
  const manifest = () => vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
    contributes: { commands: { command: string; category: string }[]; configuration: { properties: Record<string, { default: unknown }> } };
    activationEvents?: string[];
  };

  it('is installed and activates without errors', async () => {
    const ext = vscode.extensions.getExtension<SessionLensApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.activationTimeMs, 'number');
    console.log(`      activate() took ${api.activationTimeMs.toFixed(1)} ms`);
  });

  it('activates lazily (no "*" activation event)', () => {
    assert.ok(!(manifest().activationEvents ?? []).includes('*'));
  });

  it('registers every contributed command, each in the Session Lens category', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest().contributes.commands;
    assert.ok(contributed.length > 0);
    for (const c of contributed) {
      assert.ok(registered.has(c.command), `command ${c.command} is contributed but not registered`);
      assert.equal(c.category, 'Session Lens');
    }
  });

  it('resolves the Session view when it is shown', async () => {
    await vscode.commands.executeCommand('sessionLens.showSession');
    await waitFor('the Session view to resolve', () => api.isSessionViewResolved());
  });

  it('reads its settings with their contributed defaults, and sees changes', async () => {
    const props = manifest().contributes.configuration.properties;
    const config = vscode.workspace.getConfiguration('sessionLens');
    for (const [key, schema] of Object.entries(props)) {
      const short = key.replace(/^sessionLens\./, '');
      assert.deepEqual(config.get(short), schema.default, `setting ${key}`);
    }
    await config.update('expiringSoonSeconds', 42, vscode.ConfigurationTarget.Global);
    try {
      assert.equal(vscode.workspace.getConfiguration('sessionLens').get('expiringSoonSeconds'), 42);
    } finally {
      await config.update('expiringSoonSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
