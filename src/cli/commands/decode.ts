import { formatOption, parseArgs } from '../args';
import { byteSize, readFileBounded, readStreamBounded } from '../boundedRead';
import { type CliCommand, type CliIo, UsageError, errorLine } from '../command';
import { analyzeJwt } from '../../core/jwt/analyze';
import { type DecodedJwt, decodeJwt, MAX_TOKEN_LENGTH } from '../../core/jwt/decode';
import { type KeyInput, parseKeyInput, secretKeyInput } from '../../core/jwt/keyInput';
import { isoOrUndefined } from '../../core/jwt/time';
import { jwtTextReport } from '../../core/jwt/report';
import { verifyJwt } from '../../core/jwt/verify';

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
  const bytes = await readFileBounded(keyFile, io.cwd, MAX_KEY_FILE_BYTES, `key file '${keyFile}'`);
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

/** `session-lens decode`: decode, audit and optionally verify one token. */
export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'decode a JWT, list its findings, verify it with --key/--secret',
  usage,
  async run(args, io) {
    const { options, positionals } = parseArgs(args, {
      key: { type: 'string' },
      secret: { type: 'string' },
      format: formatOption('text', 'json'),
    });
    if (positionals.length === 0) throw new UsageError("decode needs a token, or '-' to read it from standard input");
    if (positionals.length > 1) throw new UsageError(`decode takes one token, got ${positionals.length} arguments (quote the token if your shell split it)`);
    const key = await loadKey(options, io);
    const stdinLimit = MAX_TOKEN_LENGTH + 1024;
    const token = positionals[0] === '-'
      ? (await readStreamBounded(io.stdin, stdinLimit, `standard input is larger than ${byteSize(stdinLimit)}; that is not a token`)).toString('utf8')
      : positionals[0];
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
      io.stdout.write(`${jwtTextReport(decoded, now, verification, findings)}\n`);
    }
    if (verification && !verified) {
      io.stderr.write(errorLine(`verification failed: ${verification.signatureMessage}`));
      return 1;
    }
    return 0;
  },
};
