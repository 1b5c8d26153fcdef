import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { sessionLensApi } from './helpers';

// RFC 7515 A.1 (VECTORS.md V1): HS256, expired in 2011, signature valid with this JWK.
const V1 = 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const V1_JWK = '{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}';
// joserfc docs (VECTORS.md V7): HS256 with the secret "secret", payload "hello".
const WEAK = 'eyJhbGciOiJIUzI1NiJ9.aGVsbG8.UYmO_lPAY5V0Wf4KZsfhiYs1SxqXPhxvjuYqellDV5A';

interface Verification { signature: string; time: string }

describe('Decode and verify JWTs in the real extension host', () => {
  it('Decode JWT opens a read-only document with header, claims, human times and findings', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('sessionLens.decodeToken', `Bearer ${V1}`);
    assert.ok(uri, 'no document');
    assert.equal(uri.scheme, 'session-lens-token');
    const text = (await sessionLensApi()).tokenDocumentText(uri)!;
    assert.match(text, /"iss": "joe"/);
    assert.match(text, /2011-03-22T18:43:00/);
    assert.match(text, /EXPIRED/);
    assert.match(text, /jwt-expired/);
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    assert.ok(shown, 'the decoded token is shown in an editor');
  });

  it('finds a well-known HMAC secret with the dictionary running in a worker thread', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('sessionLens.decodeToken', WEAK);
    const text = (await sessionLensApi()).tokenDocumentText(uri)!;
    assert.match(text, /jwt-weak-secret/);
    assert.match(text, /non-JSON|not JSON|text, not JSON/);
  });

  it('Verify JWT Signature keeps signature and time results apart', async () => {
    const good = await vscode.commands.executeCommand<Verification>('sessionLens.verifyToken', V1, V1_JWK);
    assert.equal(good.signature, 'valid');
    assert.equal(good.time, 'expired');
    const bad = await vscode.commands.executeCommand<Verification>('sessionLens.verifyToken', V1, 'not-the-secret');
    assert.equal(bad.signature, 'invalid');
  });

  it('rejects something that is not a token with a message, not an exception', async () => {
    const result = await vscode.commands.executeCommand('sessionLens.decodeToken', 'eyJhbGciOiJIUzI1NiJ9.eyJ.x.y');
    assert.equal(result, undefined);
  });
});
