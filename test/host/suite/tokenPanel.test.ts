import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { sessionLensApi, waitFor } from './helpers';

// RFC 7515 A.1 (VECTORS.md V1): HS256, expired in 2011, signature valid with this JWK.
const V1 = 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const V1_JWK = '{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}';

describe('Decoded tokens in the Session panel (real extension host)', () => {
  it('Decode JWT lists the token in the panel\'s token view, masked, with header and claims', async () => {
    const api = await sessionLensApi();
    await vscode.commands.executeCommand('sessionLens.decodeToken', `Bearer ${V1}`);
    const row = await waitFor('the decoded token in the panel state', () => api.sessionViewState().tokens.find((t) => t.origin === 'decoded' && /"iss": "joe"/.test(t.claims ?? '')));
    assert.match(row.header ?? '', /"alg": "HS256"/);
    assert.match(row.key, /^token:decoded-\d+$/);
    assert.ok(!row.value.includes(V1.slice(10, 40)), 'masked like every token');
    assert.equal(row.expiry.expiresAt, 1300819380_000);
    // Decoding it again does not list it twice.
    await vscode.commands.executeCommand('sessionLens.decodeToken', V1);
    assert.equal(api.sessionViewState().tokens.filter((t) => t.key === row.key).length, 1);
    assert.equal(api.sessionViewState().tokens.filter((t) => t.origin === 'decoded' && t.claims === row.claims).length, 1);
  });

  it('Verify JWT Signature keeps its outcome on the token\'s row', async () => {
    const api = await sessionLensApi();
    await vscode.commands.executeCommand('sessionLens.verifyToken', V1, 'not-the-secret');
    const find = () => api.sessionViewState().tokens.find((t) => t.origin === 'decoded' && /"iss": "joe"/.test(t.claims ?? ''));
    assert.equal(find()?.verification?.signature, 'invalid');
    await vscode.commands.executeCommand('sessionLens.verifyToken', V1, V1_JWK);
    assert.equal(find()?.verification?.signature, 'valid');
  });
});
