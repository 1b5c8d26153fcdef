import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from '../args';
import { type CliCommand, type CliIo, UsageError } from '../command';
import type { Finding } from '../../core/findings';
import { analyzeJwt } from '../../core/jwt/analyze';
import { type DecodedJwt, decodeJwt, MAX_TOKEN_LENGTH } from '../../core/jwt/decode';
import { type KeyInput, parseKeyInput, secretKeyInput } from '../../core/jwt/keyInput';
import { describeTime, isoOrUndefined } from '../../core/jwt/time';
import { type VerifyResult, verifyJwt } from '../../core/jwt/verify';

const MAX_KEY_FILE_BYTES = 1024 * 1024;

const usage = `Usage: session-lens decode <token|-> [--key FILE] [--secret S] [--format text|json]

Decodes a JWT (signed JWS, unsecured, or encrypted JWE: header only) and lists the
audit findings (alg none, weak secret, expiry, lifetime, header keys, ...). With a
key it also verifies the signature (or decrypts a JWE); signature and time are
reported separately, so an expired token with a good signature still verifies.

Arguments:
  <token>          the token; '-' reads it from standard input. Surrounding
                   whitespace and a "Bearer " prefix are ignored.

Options:
  --key FILE       verify with the key in FILE: PEM (public key, X.509 certificate,
                   or a private key, whose public half is used), JWK, JWKS (the key
                   is picked by kid), or a shared secret (the file's text, one
                   trailing newline removed; "base64url:..." for binary secrets).
                   A JWKS URL on this machine (http://127.0.0.1:PORT/...) is also
                   accepted in place of FILE.
  --secret S       verify with the shared secret S (UTF-8; "base64url:..." or
                   "base64:..." for binary secrets). Prefer --key: a secret on the
                   command line ends up in shell history.
  --format F       text (default) or json. JSON: { header, payload, signature,
                   issuedAt, notBefore, expiresAt (ISO 8601 or null), time,
                   verified, verification, findings: [{ ruleId, severity, message }] }

Exit status:
  0  decoded (and, with --key/--secret, the signature verified)
  1  --key/--secret given and the signature did not verify
  2  the input is not a token, or an option is wrong
`;

async function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) throw new UsageError(`standard input is larger than ${limit} bytes; that is not a token`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function loadKey(options: Record<string, unknown>, io: CliIo): Promise<KeyInput | undefined> {
  const keyFile = options.key as string | undefined;
  const secret = options.secret as string | undefined;
  if (keyFile !== undefined && secret !== undefined) throw new UsageError('give --key or --secret, not both');
  if (secret !== undefined) {
    const parsed = secret.startsWith('base64url:')
      ? secretKeyInput(secret.slice('base64url:'.length), 'base64url')
      : secret.startsWith('base64:') ? secretKeyInput(secret.slice('base64:'.length), 'base64') : secretKeyInput(secret, 'utf8');
    if (!parsed.ok) throw new UsageError(`--secret: ${parsed.error}`);
    return parsed.key;
  }
  if (keyFile === undefined) return undefined;
  if (keyFile.length === 0) throw new UsageError('--key needs a file name');
  if (/^https?:\/\//i.test(keyFile)) {
    const parsed = parseKeyInput(keyFile);
    if (!parsed.ok) throw new UsageError(`--key: ${parsed.error}`);
    return parsed.key;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(io.cwd, keyFile));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UsageError(`cannot read key file '${keyFile}': ${reason}`);
  }
  if (bytes.length > MAX_KEY_FILE_BYTES) throw new UsageError(`key file '${keyFile}' is larger than ${MAX_KEY_FILE_BYTES} bytes`);
  const parsed = parseKeyInput(bytes.toString('utf8'));
  if (!parsed.ok) throw new UsageError(`key file '${keyFile}': ${parsed.error}`);
  return parsed.key;
}

interface DecodedJson {
  kind: 'jws' | 'jwe';
  alg: string;
  typ: string | null;
  cty: string | null;
  header: Record<string, unknown>;
  payload: unknown;
  payloadText?: string;
  signature: string | null;
  issuedAt: string | null;
  notBefore: string | null;
  expiresAt: string | null;
  time: string;
  encrypted?: true;
  nested?: DecodedJson | { kind: 'malformed'; error: string };
}

function toJson(decoded: Exclude<DecodedJwt, { kind: 'malformed' }>): DecodedJson {
  if (decoded.kind === 'jwe') {
    return {
      kind: 'jwe', alg: decoded.alg, typ: decoded.typ ?? null, cty: decoded.cty ?? null, header: decoded.header,
      payload: null, signature: null, issuedAt: null, notBefore: null, expiresAt: null, time: 'unknown', encrypted: true,
    };
  }
  const json: DecodedJson = {
    kind: 'jws',
    alg: decoded.alg,
    typ: decoded.typ ?? null,
    cty: decoded.cty ?? null,
    header: decoded.header,
    payload: decoded.payloadKind === 'json' ? decoded.payload : null,
    ...(decoded.payloadKind !== 'json' ? { payloadText: decoded.payloadRaw } : {}),
    signature: decoded.signature,
    issuedAt: isoOrUndefined(decoded.issuedAt) ?? null,
    notBefore: isoOrUndefined(decoded.notBefore) ?? null,
    expiresAt: isoOrUndefined(decoded.expiresAt) ?? null,
    time: decoded.payloadKind === 'json' ? decoded.timeState : 'unknown',
  };
  if (decoded.nested) {
    json.nested = decoded.nested.kind === 'malformed' ? { kind: 'malformed', error: decoded.nested.error.message } : toJson(decoded.nested);
  }
  return json;
}

/** Escapes control characters so a token cannot drive the terminal (ANSI escapes in claims). */
function safeText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function indent(text: string, by = '  '): string {
  return text.split('\n').map((line) => by + line).join('\n');
}

function textReport(decoded: Exclude<DecodedJwt, { kind: 'malformed' }>, now: number, verification: VerifyResult | undefined, findings: readonly Finding[], depth = 0): string {
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
      out.push(decoded.nested.kind === 'malformed' ? `Inner token: not decodable: ${decoded.nested.error.message}` : textReport(decoded.nested, now, undefined, [], depth + 1));
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

/** `session-lens decode`: decode, audit and optionally verify one token. */
export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'decode a JWT, list its findings, verify it with --key/--secret',
  usage,
  async run(args, io) {
    const { options, positionals } = parseArgs(args, {
      key: { type: 'string' },
      secret: { type: 'string' },
      format: { type: 'string', choices: ['text', 'json'] },
    });
    if (positionals.length === 0) throw new UsageError("decode needs a token, or '-' to read it from standard input");
    if (positionals.length > 1) throw new UsageError(`decode takes one token, got ${positionals.length} arguments (quote the token if your shell split it)`);
    const key = await loadKey(options, io);
    const token = positionals[0] === '-' ? await readAll(io.stdin, MAX_TOKEN_LENGTH + 1024) : positionals[0];
    const now = Date.now();
    const decoded = decodeJwt(token, { now });
    if (decoded.kind === 'malformed') throw new UsageError(`not a JWT: ${decoded.error.message}`);
    const severityOrder = { error: 0, warning: 1, info: 2 } as const;
    const findings = analyzeJwt(token, { now }).sort((a, b) => severityOrder[a.severity] - severityOrder[b.severity]);
    const verification = key ? await verifyJwt(token, key, { now }) : undefined;
    const verified = verification ? verification.signature === 'valid' : undefined;

    if (options.format === 'json') {
      const json = {
        ...toJson(decoded),
        ...(verification
          ? {
              verified,
              verification: {
                signature: verification.signature,
                message: verification.signatureMessage,
                time: verification.time,
                timeMessage: verification.timeMessage,
                ...(verification.keyDescription ? { key: verification.keyDescription } : {}),
                ...(verification.keyId !== undefined ? { keyId: verification.keyId } : {}),
                ...(verification.plaintext !== undefined ? { plaintext: verification.plaintext } : {}),
              },
            }
          : {}),
        findings: findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, ...(f.subject !== 'JWT' ? { subject: f.subject } : {}) })),
      };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      io.stdout.write(`${textReport(decoded, now, verification, findings)}\n`);
    }
    if (verification && !verified) {
      io.stderr.write(`session-lens: verification failed: ${safeText(verification.signatureMessage)}\n`);
      return 1;
    }
    return 0;
  },
};
