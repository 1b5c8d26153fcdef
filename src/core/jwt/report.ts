import type { Finding } from '../findings';
import type { DecodedJwt } from './decode';
import { safeText } from '../safeText';
import { describeTime } from './time';
import type { VerifyResult } from './verify';

export { safeText };

function indent(text: string, by = '  '): string {
  return text.split('\n').map((line) => by + line).join('\n');
}

/**
 * A decoded token as readable text (header, payload, human times, signature, verification,
 * findings), shared by `session-lens decode` and the editor's decoded-token document.
 * Control characters are escaped: a token cannot drive a terminal.
 */
export function jwtTextReport(decoded: Exclude<DecodedJwt, { kind: 'malformed' }>, now: number, verification: VerifyResult | undefined, findings: readonly Finding[], depth = 0): string {
  const out: string[] = [];
  if (decoded.kind === 'jwe') {
    out.push(`Encrypted JWT (JWE, alg ${decoded.alg}, enc ${decoded.enc}${decoded.typ ? `, typ ${decoded.typ}` : ''})`, '', 'Header', indent(JSON.stringify(decoded.header, null, 2)), '', 'Payload', '  (encrypted)');
  } else {
    const kind = decoded.unsecured ? 'unsecured JWT' : 'JWS';
    out.push(`${depth ? 'Inner token: ' : ''}JWT (${kind}, alg ${decoded.alg}${decoded.typ ? `, typ ${decoded.typ}` : ''}${decoded.cty ? `, cty ${decoded.cty}` : ''})`);
    out.push('', 'Header', indent(JSON.stringify(decoded.header, null, 2)));
    out.push('', decoded.payloadKind === 'json' ? 'Payload' : `Payload (${decoded.payloadKind === 'jwt' ? 'a nested JWT' : decoded.payloadKind === 'binary' ? 'binary, not UTF-8' : 'text, not JSON'})`);
    out.push(indent(decoded.payloadKind === 'json' ? JSON.stringify(decoded.payload, null, 2) : decoded.payloadRaw));
    if (decoded.payloadKind === 'json') {
      const rows: [string, number | undefined][] = [['issued', decoded.issuedAt], ['not before', decoded.notBefore], ['expires', decoded.expiresAt]];
      out.push('', 'Times');
      for (const [label, value] of rows) if (value !== undefined) out.push(`  ${label.padEnd(10)}  ${describeTime(value, now).text}`);
      const state = { valid: 'valid now', expired: 'EXPIRED', 'not-yet-valid': 'NOT YET VALID', 'no-exp': 'never expires (no exp claim)' }[decoded.timeState];
      out.push(`  ${'state'.padEnd(10)}  ${state}`);
    }
    out.push('', `Signature  ${decoded.signature ? `${decoded.signature.length > 24 ? `${decoded.signature.slice(0, 12)}…${decoded.signature.slice(-8)}` : decoded.signature} (${decoded.signatureBytes} bytes)` : '(none)'}`);
    if (decoded.nested) {
      out.push('');
      out.push(decoded.nested.kind === 'malformed' ? `Inner token: not decodable: ${decoded.nested.error.message}` : jwtTextReport(decoded.nested, now, undefined, [], depth + 1));
    }
  }
  if (verification) {
    if (decoded.kind === 'jwe') out.push('');
    out.push(`Verified   ${verification.signature === 'valid' ? 'yes' : `NO (${verification.signature})`}: ${verification.signatureMessage}`);
    if (verification.time !== 'unknown') out.push(`Time       ${verification.timeMessage}`);
    if (verification.plaintext !== undefined) out.push('', 'Decrypted payload', indent(verification.plaintext));
  }
  if (depth === 0) {
    out.push('', findings.length ? `Findings (${findings.length})` : 'Findings: none');
    for (const f of findings) out.push(`  ${f.severity.padEnd(7)}  ${f.ruleId}${f.subject !== 'JWT' ? ` [${f.subject}]` : ''}`, indent(f.message, '           '));
  }
  return safeText(out.join('\n'));
}
