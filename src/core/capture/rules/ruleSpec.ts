import { type CredentialPlace, DEFAULT_SHORT_LIFETIME_SECONDS, type InFlightRuleSpec, InFlightRuleError, JWT_TAMPER_MODES, type JwtTamperMode, validateRule } from './inFlightRule';

/** The grammar of a rule written as text (`session-lens capture --rule SPEC`), for --help. */
export const RULE_SPEC_GRAMMAR = `  expire:cookie:NAME           the next response deletes cookie NAME in the browser
                               (Set-Cookie NAME=; Max-Age=0 with its domain and path)
  shorten:cookie:NAME[=S]      responses give cookie NAME a lifetime of S seconds
                               (default ${DEFAULT_SHORT_LIFETIME_SECONDS}): Max-Age/Expires rewritten
  drop:cookie:NAME             requests reach the dev server without cookie NAME
  drop:header:NAME             ... without header NAME (drop:header:Authorization)
  replace:cookie:NAME=VALUE    requests carry VALUE for cookie NAME
  replace:header:NAME=VALUE    ... for header NAME (Authorization keeps its scheme
                               when VALUE has no space: replace:header:Authorization=abc)
  tamper:cookie:NAME=MODE[;key=KEY]
  tamper:header:NAME=MODE[;key=KEY]
                               the JWT in that cookie or header is sent as MODE:
                                 expired        exp one hour ago
                                 not-yet-valid  nbf one hour ahead
                                 alg-none       alg "none", signature stripped
                                 claims:JSON    claims merged in (null removes one):
                                                claims:{"role":"admin"}
                                 resign         unchanged claims, signed with KEY
                               KEY re-signs it: secret:TEXT, or file:PATH (a PEM
                               private key, a private JWK, or a secret); without
                               KEY the original signature is kept
  Quote a SPEC with ; or JSON in it for the shell:
    --rule 'tamper:header:Authorization=expired;key=secret:dev-secret'`;

/**
 * Parses one rule written as text (see RULE_SPEC_GRAMMAR). `readKeyFile` reads `key=file:PATH`.
 * Throws InFlightRuleError with a message that names the part that is wrong.
 */
export function parseRuleSpec(text: string, readKeyFile: (path: string) => string): InFlightRuleSpec {
  const m = /^([a-z-]+):(cookie|header):([^=]*)(?:=([\s\S]*))?$/.exec(text);
  if (!m) {
    const action = /^([a-z-]+):/.exec(text)?.[1];
    if (action !== undefined && !['expire', 'shorten', 'drop', 'replace', 'tamper'].includes(action)) throw new InFlightRuleError(`unknown rule action '${action}' in '${text}' (expire, shorten, drop, replace, tamper)`);
    throw new InFlightRuleError(`cannot read rule '${text}': expected ACTION:cookie:NAME or ACTION:header:NAME, e.g. drop:cookie:sid`);
  }
  const [, action, where, name, arg] = m;
  const place: CredentialPlace = where === 'cookie' ? { in: 'cookie', name } : { in: 'header', name };
  let spec: InFlightRuleSpec;
  switch (action) {
    case 'expire':
      if (where !== 'cookie') throw new InFlightRuleError(`'${text}': expire applies to cookies (expire:cookie:NAME)`);
      if (arg !== undefined) throw new InFlightRuleError(`'${text}': expire takes no value`);
      spec = { kind: 'expire-now', cookie: name };
      break;
    case 'shorten': {
      if (where !== 'cookie') throw new InFlightRuleError(`'${text}': shorten applies to cookies (shorten:cookie:NAME=SECONDS)`);
      const seconds = arg === undefined ? DEFAULT_SHORT_LIFETIME_SECONDS : /^\d+$/.test(arg) ? Number(arg) : Number.NaN;
      if (!Number.isInteger(seconds)) throw new InFlightRuleError(`'${text}': the lifetime must be a whole number of seconds (got '${arg ?? ''}')`);
      spec = { kind: 'shorten-lifetime', cookie: name, seconds };
      break;
    }
    case 'drop':
      if (arg !== undefined) throw new InFlightRuleError(`'${text}': drop takes no value`);
      spec = { kind: 'drop', place };
      break;
    case 'replace':
      if (arg === undefined) throw new InFlightRuleError(`'${text}': replace needs a value (replace:${where}:${name}=VALUE)`);
      spec = { kind: 'replace', place, value: arg };
      break;
    case 'tamper':
      spec = tamperSpec(text, place, arg, readKeyFile);
      break;
    default:
      throw new InFlightRuleError(`unknown rule action '${action}' in '${text}' (expire, shorten, drop, replace, tamper)`);
  }
  validateRule(spec);
  return spec;
}

function tamperSpec(text: string, place: CredentialPlace, arg: string | undefined, readKeyFile: (path: string) => string): InFlightRuleSpec {
  if (arg === undefined) throw new InFlightRuleError(`'${text}': tamper needs a mode (${JWT_TAMPER_MODES.map((mode) => (mode === 'claims' ? 'claims:JSON' : mode)).join(', ')})`);
  const keyAt = arg.lastIndexOf(';key=');
  const modeText = keyAt === -1 ? arg : arg.slice(0, keyAt);
  const keyText = keyAt === -1 ? undefined : arg.slice(keyAt + 5);
  let signingKey: string | undefined;
  if (keyText !== undefined) {
    if (keyText.startsWith('secret:')) signingKey = keyText.slice(7);
    else if (keyText.startsWith('file:')) {
      try {
        signingKey = readKeyFile(keyText.slice(5));
      } catch (err) {
        throw new InFlightRuleError(`'${text}': cannot read the key file ${keyText.slice(5)}: ${(err as Error).message}`);
      }
    } else {
      throw new InFlightRuleError(`'${text}': the key must be secret:TEXT or file:PATH`);
    }
  }
  let mode: JwtTamperMode;
  let claims: Record<string, unknown> | undefined;
  if (modeText.startsWith('claims:')) {
    mode = 'claims';
    try {
      claims = JSON.parse(modeText.slice(7)) as Record<string, unknown>;
    } catch (err) {
      throw new InFlightRuleError(`'${text}': the claims are not JSON: ${(err as Error).message}`);
    }
  } else if ((JWT_TAMPER_MODES as readonly string[]).includes(modeText) && modeText !== 'claims') {
    mode = modeText as JwtTamperMode;
  } else {
    throw new InFlightRuleError(`'${text}': unknown tamper mode '${modeText}' (expired, not-yet-valid, alg-none, claims:JSON, resign)`);
  }
  return { kind: 'tamper-jwt', place, mode, ...(claims !== undefined ? { claims } : {}), ...(signingKey !== undefined ? { signingKey } : {}) };
}
