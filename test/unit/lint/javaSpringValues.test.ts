import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import { scanFiles } from '../../../src/core/lint/scanner';
import { JAVA_CONFIG_DEFAULTS, JAVA_CONFIG_PROPERTIES, textBlockValue } from '../../../src/core/lint/symbols/javaIndexer';
import { springConfigModule } from '../../../src/core/lint/symbols/springIndexer';
import { javaClassModule } from '../../../src/core/lint/symbols/typeIndexers';

/*
 * Java values the workspace table resolves beyond plain constants: Spring Boot properties behind
 * @Value, @ConfigurationProperties getters and Environment reads (with their profile files),
 * constants built by concatenation in another file, and getters of other classes. The fixture
 * expectations themselves are checked by workspace.test.ts (java-payments).
 */
const WORKSPACES = path.resolve(__dirname, '../../fixtures/lint-workspace');
const PAYMENTS = path.join(WORKSPACES, 'java-payments');
const JAVA = 'src/main/java/com/acme/payments';

type Finding = { file: string; ruleId: string; severity: string; message: string; range: { start: { line: number } } };
const secretAt = (findings: readonly Finding[], file: string, line: number) => findings.find((f) => f.file.endsWith(file) && f.range.start.line + 1 === line && f.ruleId === 'jwt-hardcoded-secret');

function tempWorkspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-spring-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const SIGNER = (use: string) => `package com.acme.app;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import org.springframework.beans.factory.annotation.Value;

public class Signer {

    @Value("\${app.jwt.secret}")
    private String secret;

    public String sign(String subject) {
        return JWT.create().withSubject(subject).sign(Algorithm.HMAC256(${use}));
    }
}
`;

describe('lint: Java values through Spring configuration and other classes', () => {
  it('indexes Spring properties by canonical key and profile, @ConfigurationProperties prefixes, built constants and getters', async () => {
    const { symbols } = await scanFiles(['.'], { cwd: PAYMENTS, workers: 0 });
    assert.ok(symbols);
    const jwt = symbols.lookup(springConfigModule(PAYMENTS), 'jwt.secret');
    assert.deepEqual([jwt?.value, jwt?.fallbackFor, jwt?.line], ['payments-dev-signing-key-change-me', 'JWT_SECRET', 20]);
    // `${WEBHOOK_HMAC_SECRET}`: set, by the environment.
    assert.deepEqual([symbols.lookup(springConfigModule(PAYMENTS), 'webhook.hmacsecret')?.value], ['']);
    assert.equal(symbols.lookup(springConfigModule(PAYMENTS, 'dev'), 'audit.tokenkey')?.value, 'local-audit-token-key');
    assert.equal(symbols.lookup(springConfigModule(PAYMENTS, 'prod'), 'reporting.hmac')?.value, 'reports-prod-2023-hmac');
    assert.equal(symbols.lookup(JAVA_CONFIG_PROPERTIES, 'com.acme.payments.config.JwtProperties')?.value, 'jwt');
    assert.equal(symbols.lookup(JAVA_CONFIG_PROPERTIES, 'com.acme.payments.config.PartnerProperties')?.value, 'partner.api');
    // A @Bean method annotated @ConfigurationProperties binds the class it returns; @DefaultValue is a constructor-bound fallback.
    assert.equal(symbols.lookup(JAVA_CONFIG_PROPERTIES, 'com.acme.payments.refunds.RefundTokenSettings')?.value, 'refund-token');
    assert.deepEqual([symbols.lookup(javaClassModule('com.acme.payments.refunds.StatementTokenProperties'), '=signingKey')?.value, symbols.lookup(javaClassModule('com.acme.payments.refunds.StatementTokenProperties'), '=signingKey')?.fallbackFor],
      ['statements-signing-key-2023', 'STATEMENTTOKEN_SIGNINGKEY (or the property statement-token.signing-key)']);
    assert.equal(symbols.lookup(javaClassModule('com.acme.payments.refunds.ExportTokenProperties'), '=archiveKey')?.value, 'export-archive-local-key');
    const merchants = (cls: string) => javaClassModule(`com.acme.payments.merchants.${cls}`);
    // Getters of a superclass of the workspace, unless the subclass overrides them.
    assert.equal(symbols.lookup(merchants('MerchantTokenConfig'), 'getSigningSecret()')?.value, 'merchant-base-signing-secret');
    assert.equal(symbols.lookup(merchants('RotatingTokenConfig'), 'getSigningSecret()'), undefined);
    assert.equal(symbols.lookup(merchants('MerchantJwtSettings'), 'getSecret()')?.value, 'merchant-jwt-secret-2021');
    assert.equal(symbols.lookup(merchants('MerchantKeys'), '->batchSettings')?.value, 'com.acme.payments.merchants.MerchantJwtSettings');
    // `this.secret = "…"` in the constructor; a field the constructor reads from the environment is not indexed.
    assert.equal(symbols.lookup(merchants('WidgetKeyring'), 'getSecret()')?.value, 'widget-embed-secret-v3');
    assert.equal(symbols.lookup(merchants('WidgetKeyring'), 'getPreviewSecret()'), undefined);
    // Constants joined by calls or written as a text block; the variable's name built the same way is indexed as what it is.
    const links = javaClassModule('com.acme.payments.config.LinkKeys');
    assert.equal(symbols.lookup(links, 'INVOICE_LINK_KEY')?.value, 'acme-invoice-link-key-v1');
    assert.equal(symbols.lookup(links, 'REMINDER_LINK_KEY')?.value, 'acme-reminder-link-key-v2');
    assert.deepEqual([symbols.lookup(links, 'RECEIPT_LINK_KEY')?.value, symbols.lookup(links, 'RECEIPT_LINK_KEY')?.line], ['acme-receipt-link-signing-key', 10]);
    assert.equal(symbols.lookup(links, 'ROTATED_KEY_VARIABLE')?.value, 'INVOICE_ROTATED_KEY');
    const constants = javaClassModule('com.acme.payments.config.SecurityConstants');
    assert.equal(symbols.lookup(constants, 'SIGNING_KEY')?.value, 'acme-payments-signing-key-v2');
    assert.equal(symbols.lookup(constants, 'LEGACY_KEY')?.value, 'payments-legacy-2019');
    // A constant of an interface of another file, resolved after every file was indexed.
    assert.equal(symbols.lookup(constants, 'CALLBACK_KEY')?.value, 'eu-west-1-acme-payments-callbacks');
    // A getter returning a constant points at the constant's literal.
    const getter = symbols.lookup(javaClassModule('com.acme.payments.config.JwtConfig'), 'getSecret()');
    assert.deepEqual([getter?.value, getter?.line], ['merchant-portal-secret-2022', 9]);
    assert.equal(symbols.lookup(javaClassModule('com.acme.payments.config.JwtConfig'), 'getRotatingSecret()'), undefined);
    assert.equal(symbols.lookup(javaClassModule('com.acme.payments.config.LegacyKeys'), 'getMobileKey()')?.value, 'mobile-v1-hmac-key');
    // Lombok @Value: members without modifiers, not the locals of its methods.
    assert.equal(symbols.lookup(javaClassModule('com.acme.payments.config.ClientCredentials'), 'getClientSecret()')?.value, 'payments-web-client-secret');
    assert.equal(symbols.lookup(javaClassModule('com.acme.payments.config.ClientCredentials'), '#label'), undefined);
  });

  it('reports a key from application.yml as an error naming the file, a placeholder default as the fallback, a dev profile as info', async () => {
    const { findings } = await scanFiles(['.'], { cwd: PAYMENTS, workers: 0 });
    const fallback = secretAt(findings, 'JwtTokenProvider.java', 21);
    assert.equal(fallback?.severity, 'error');
    assert.match(fallback?.message ?? '', /property jwt\.secret, which \.\.\/(\.\.\/)*resources\/application\.yml:20 sets to \$\{JWT_SECRET:…\}: wherever JWT_SECRET is missing/);
    const record = secretAt(findings, 'PartnerCallbackVerifier.java', 22);
    assert.equal(record?.severity, 'error');
    assert.match(record?.message ?? '', /property partner\.api\.signing-key, which .*application\.yml:27 sets to a literal .* \$\{PARTNER_API_SIGNINGKEY\}/);
    const dev = secretAt(findings, 'AuditTokenService.java', 16);
    assert.equal(dev?.severity, 'info');
    assert.match(dev?.message ?? '', /only .*application-dev\.yml:7 sets to a literal: the dev profile signs with a key committed with the code\. Production does not activate that profile/);
    const prod = secretAt(findings, 'ReportTokenService.java', 19);
    assert.equal(prod?.severity, 'error');
    assert.match(prod?.message ?? '', /application-prod\.properties:4 .* wherever the prod profile is active/);
    // A @ConfigurationProperties field's initializer binds when nothing sets the property.
    assert.match(secretAt(findings, 'DeviceTokenService.java', 23)?.message ?? '', /\(properties\.getSigningKey\(\) from \.\.\/config\/DeviceTokenProperties\.java:10\) falls back .* wherever DEVICETOKEN_SIGNINGKEY \(or the property device-token\.signing-key\) is missing/);
    assert.match(secretAt(findings, 'MerchantPortalController.java', 35)?.message ?? '', /\(new SecurityConfig\(\)\.getJwtSecret\(\) from \.\.\/config\/SecurityConfig\.java:6\)/);
  });

  it('reads imported files, profile groups, YAML anchors, aliases, merge keys and block scalars', async () => {
    const ledger = path.join(WORKSPACES, 'java-ledger');
    const { findings, symbols } = await scanFiles(['.'], { cwd: ledger, workers: 0 });
    assert.ok(symbols);
    const yml = (key: string, profile?: string) => symbols.lookup(springConfigModule(ledger, profile), key);
    // An alias and a merge key take the anchored literal, named where the anchor writes it; a key set beside the merge wins.
    assert.deepEqual([yml('ledger.archive.key')?.value, yml('ledger.archive.key')?.line], ['ledger-statement-signing-key', 37]);
    assert.deepEqual([yml('ledger.accesstoken.secret')?.value, yml('ledger.accesstoken.secret')?.line], ['ledger-shared-token-secret', 27]);
    assert.deepEqual([yml('ledger.refreshtoken.secret')?.value, yml('ledger.refreshtoken.secret')?.fallbackFor], ['', 'LEDGER_REFRESH_SECRET']);
    assert.equal(yml('ledger.reconciliation.key')?.value, 'recon-7f3a9c1e5b2d-ledger-block');
    assert.equal(yml('ledger.audit.key')?.value, undefined);
    // spring.config.import: the imported file's properties, as the importing file's.
    assert.match(yml('bank.callbackkey')?.file ?? '', /config[\/]signing\.yml$/);
    const callback = secretAt(findings, 'BankCallbackSigner.java', 21);
    assert.equal(callback?.severity, 'error');
    assert.match(callback?.message ?? '', /config\/signing\.yml:3 sets to a literal/);
    // A profile whose name says nothing is ranked by the group that activates it.
    const cloud = secretAt(findings, 'BankCallbackSigner.java', 37);
    assert.equal(cloud?.severity, 'error');
    assert.match(cloud?.message ?? '', /wherever the cloud profile \(which the production group activates\) is active/);
    const mock = secretAt(findings, 'BankCallbackSigner.java', 42);
    assert.equal(mock?.severity, 'info');
    assert.match(mock?.message ?? '', /the mock-bank profile \(which the local group activates\) signs with a key committed with the code/);
  });

  it('reads a text block as Java does: common indentation (the closing line counts) and trailing spaces removed, escapes applied', () => {
    assert.equal(textBlockValue('"""\n        partner-key"""'), 'partner-key');
    assert.equal(textBlockValue('"""\n        line one  \n          line two\n        """'), 'line one\n  line two\n');
    assert.equal(textBlockValue('"""\n    a\\tb \\\n    c"""'), 'a\tb c');
  });

  it('reads profiles of multi-document YAML, and ranks unknown profiles as warnings', async () => {
    const dir = tempWorkspace({
      'src/main/resources/application.yml': 'server:\n  port: 8080\n---\nspring:\n  config:\n    activate:\n      on-profile: local\napp:\n  jwt:\n    secret: local-only-secret\n',
      'src/main/resources/application-docker.properties': 'app.other-key=docker-compose-key\n',
      'src/main/java/com/acme/app/Signer.java': SIGNER('secret'),
      'src/main/java/com/acme/app/OtherSigner.java': SIGNER('environment.getProperty("app.other-key")').replace('class Signer', 'class OtherSigner').replace('    @Value', '    private org.springframework.core.env.Environment environment;\n\n    @Value'),
    });
    try {
      const { findings } = await scanFiles(['.'], { cwd: dir, workers: 0 });
      const local = secretAt(findings, 'Signer.java', 13);
      assert.equal(local?.severity, 'info');
      assert.match(local?.message ?? '', /application\.yml:10 .*the local profile/);
      const docker = secretAt(findings, 'OtherSigner.java', 15);
      assert.equal(docker?.severity, 'warning');
      assert.match(docker?.message ?? '', /wherever the docker profile is active/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets a configuration file set from the environment win over a @Value default, and stays silent without a table', async () => {
    const dir = tempWorkspace({
      'src/main/resources/application.properties': 'app.jwt.secret=${APP_JWT_SECRET}\n',
      'src/main/java/com/acme/app/Signer.java': SIGNER('secret').replace('${app.jwt.secret}', '${app.jwt.secret:dev-default}'),
    });
    try {
      const { findings } = await scanFiles(['.'], { cwd: dir, workers: 0 });
      assert.deepEqual(findings.filter((f) => f.ruleId === 'jwt-hardcoded-secret'), []);
      // Without the file, the default written in the annotation is what runs.
      fs.rmSync(path.join(dir, 'src/main/resources/application.properties'));
      const again = await scanFiles(['.'], { cwd: dir, workers: 0 });
      assert.deepEqual(again.findings.filter((f) => f.ruleId === 'jwt-hardcoded-secret').map((f) => f.range.start.line + 1), [9]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not take a key file location or a public key for a secret written down', async () => {
    const dir = tempWorkspace({
      'src/main/resources/application.properties': 'app.jwt.secret=classpath:keys/jwt-hmac.key\n',
      'src/main/java/com/acme/app/Signer.java': SIGNER('secret'),
    });
    try {
      const { findings } = await scanFiles(['.'], { cwd: dir, workers: 0 });
      assert.deepEqual(findings.filter((f) => f.ruleId === 'jwt-hardcoded-secret'), []);
      fs.writeFileSync(path.join(dir, 'src/main/resources/application.properties'), 'app.jwt.secret=hmac-key-in-properties\n');
      const again = await scanFiles(['.'], { cwd: dir, workers: 0 });
      assert.deepEqual(again.findings.filter((f) => f.ruleId === 'jwt-hardcoded-secret').map((f) => `${path.basename(f.file)}:${f.range.start.line + 1}`), ['Signer.java:13', 'application.properties:1']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keystroke re-lints resolve a @ConfigurationProperties getter and a getter of another class through the last scan', async () => {
    const result = await scanFiles(['.'], { cwd: PAYMENTS, workers: 0 });
    for (const [rel, lines, edit] of [
      [`${JAVA}/security/JwtTokenProvider.java`, [21], 10],
      [`${JAVA}/web/MerchantPortalController.java`, [30, 35, 40], 13],
      // Inherited getter, Lombok @Data, var of a static factory and of a method of the class, a constructor-set field.
      [`${JAVA}/merchants/MerchantTokenService.java`, [26, 40, 47, 62, 68], 10],
      // Receivers through instance factories and chains: a method returning Keys.hmacShaKeyFor("…"), var of config.jwtProperties().
      [`${JAVA}/disputes/DisputeTokenService.java`, [24, 31, 47, 53], 10],
      // Fields of the class in scope, not of a nested class; a for-each variable.
      [`${JAVA}/payouts/PayoutSigner.java`, [27, 38], 10],
      // this(…) delegation, an interface's default method, super(…) of a subclass, @DefaultValue of a nested record group.
      [`${JAVA}/chargebacks/ChargebackTokenService.java`, [23, 32, 41, 52], 10],
      // A constructor's parameter that a @Bean method of another file passes as a literal.
      [`${JAVA}/receipts/HmacSigner.java`, [14], 8],
    ] as const) {
      const file = path.join(PAYMENTS, rel);
      const text = fs.readFileSync(file, 'utf8');
      const single = await new Linter().lintText(text, { filePath: file });
      assert.deepEqual(single.filter((f) => f.ruleId === 'jwt-hardcoded-secret'), [], rel);
      const linter = new Linter();
      linter.symbols = result.symbols;
      const doc = await linter.open(text, { filePath: file });
      assert.ok(doc);
      const secretLines = (fs: readonly Omit<Finding, 'file'>[]) => fs.filter((f) => f.ruleId === 'jwt-hardcoded-secret').map((f) => f.range.start.line + 1);
      assert.deepEqual(secretLines(doc.findings()), [...lines], rel);
      const after = doc.update([{ range: { start: { line: edit, character: 0 }, end: { line: edit, character: 0 } }, text: '// typed\n' }]);
      assert.deepEqual(secretLines(after), lines.map((l) => l + 1), rel);
      doc.dispose();
    }
  });

  it('stops resolving a getter when the edit changes the field\'s declared type', async () => {
    const result = await scanFiles(['.'], { cwd: PAYMENTS, workers: 0 });
    const file = path.join(PAYMENTS, `${JAVA}/web/MerchantPortalController.java`);
    const text = fs.readFileSync(file, 'utf8');
    const linter = new Linter();
    linter.symbols = result.symbols;
    const doc = await linter.open(text, { filePath: file });
    assert.ok(doc);
    const line = text.split('\n').findIndex((l) => l.includes('private final JwtConfig jwtConfig;'));
    const col = text.split('\n')[line].indexOf('JwtConfig');
    const after = doc.update([{ range: { start: { line, character: col }, end: { line, character: col + 'JwtConfig'.length } }, text: 'VaultConfig' }]);
    assert.deepEqual(after.filter((f) => f.ruleId === 'jwt-hardcoded-secret').map((f) => f.range.start.line + 1), [35, 40]);
    doc.dispose();
  });

  it('indexes constants of an interface (implicitly static final) built by text blocks, String.format and StringBuilder chains', async () => {
    const { symbols } = await scanFiles(['.'], { cwd: PAYMENTS, workers: 0 });
    assert.ok(symbols);
    const payout = javaClassModule('com.acme.payments.config.PayoutKeys');
    assert.deepEqual([symbols.lookup(payout, 'PAYOUT_NOTICE_KEY')?.value, symbols.lookup(payout, 'PAYOUT_NOTICE_KEY')?.line], ['acme-payout-notice-2022-signing', 9]);
    assert.equal(symbols.lookup(payout, 'PAYOUT_BATCH_KEY')?.value, 'acme-payout-batch-key-v4');
    // Written over four lines.
    assert.deepEqual([symbols.lookup(payout, 'PAYOUT_STATUS_KEY')?.value, symbols.lookup(payout, 'PAYOUT_STATUS_KEY')?.line], ['acme-payout-status-key-v1', 16]);
    assert.equal(symbols.lookup(payout, 'ROTATED_VARIABLE')?.value, 'PAYOUT_ROTATED_KEY');
  });

  it('indexes what instance methods return: a class (->name), and the key a key-building getter wraps', async () => {
    const { symbols } = await scanFiles(['.'], { cwd: PAYMENTS, workers: 0 });
    assert.ok(symbols);
    const disputes = (cls: string) => javaClassModule(`com.acme.payments.disputes.${cls}`);
    assert.equal(symbols.lookup(disputes('DisputeConfiguration'), '->jwtProperties')?.value, 'com.acme.payments.config.JwtProperties');
    assert.equal(symbols.lookup(disputes('DisputeConfiguration'), '->disputeKeys')?.value, 'com.acme.payments.disputes.DisputeKeys');
    assert.deepEqual([symbols.lookup(disputes('DisputeKeys'), 'signingKey()')?.value, symbols.lookup(disputes('DisputeKeys'), 'signingKey()')?.line], ['dispute-portal-signing-key-0042!', 13]);
    // new SecretKeySpec(CONSTANT.getBytes(UTF_8), "HmacSHA256"): the constant's literal.
    assert.deepEqual([symbols.lookup(disputes('DisputeKeys'), 'evidenceKey()')?.value, symbols.lookup(disputes('DisputeKeys'), 'evidenceKey()')?.line], ['dispute-evidence-upload-secret-2023', 11]);
    assert.equal(symbols.lookup(disputes('DisputeKeys'), 'arbitrationKey()'), undefined);
  });

  it('indexes fields set through this(…) and super(…) delegation, interface default methods inherited by implementing classes, and nested @DefaultValue groups', async () => {
    const { symbols } = await scanFiles(['.'], { cwd: PAYMENTS, workers: 0 });
    assert.ok(symbols);
    const cb = (cls: string) => javaClassModule(`com.acme.payments.chargebacks.${cls}`);
    // Named where the delegating constructor writes the literal.
    assert.deepEqual([symbols.lookup(cb('ChargebackJwtConfig'), 'getSecret()')?.value, symbols.lookup(cb('ChargebackJwtConfig'), 'getSecret()')?.line], ['chargeback-console-dev-secret', 10]);
    assert.equal(symbols.lookup(cb('ChargebackAuditConfig'), 'getSecret()'), undefined);
    assert.equal(symbols.lookup(cb('ConsoleIssuer'), 'signingSecret()')?.value, 'chargeback-default-signing-secret');
    assert.equal(symbols.lookup(cb('VaultIssuer'), 'signingSecret()'), undefined);
    // super("…", "card-networks") sets the superclass's field, and its getter resolves again for the subclass.
    assert.deepEqual([symbols.lookup(cb('CardNetworkChargebackConfig'), 'getSecret()')?.value, symbols.lookup(cb('CardNetworkChargebackConfig'), 'getSecret()')?.line], ['card-network-chargeback-secret', 10]);
    assert.equal(symbols.lookup(cb('WalletChargebackConfig'), 'getSecret()'), undefined);
    assert.equal(symbols.lookup(cb('WalletChargebackConfig'), 'getIssuer()')?.value, 'wallets');
    const evidence = symbols.lookup(JAVA_CONFIG_DEFAULTS, 'chargeback.evidence.signingkey');
    assert.deepEqual([evidence?.value, evidence?.fallbackFor], ['chargeback-evidence-local-key', 'CHARGEBACK_EVIDENCE_SIGNINGKEY (or the property chargeback.evidence.signing-key)']);
    // @Bean TokenSigner receiptSigner() { return new HmacSigner("…"); }: the first argument of its one-parameter constructor.
    const receipts = (cls: string) => javaClassModule(`com.acme.payments.receipts.${cls}`);
    assert.deepEqual([symbols.lookup(receipts('HmacSigner'), '(new)1#0')?.value, symbols.lookup(receipts('HmacSigner'), '(new)1#0')?.line], ['receipt-links-hmac-secret-2024!!', 13]);
    assert.equal(symbols.lookup(receipts('ArchiveSigner'), '(new)1#0'), undefined);
    // new BatchSigner(SettlementKeys.BATCH_SECRET): the constant, named where it is written; super("…") gives the superclass's constructor parameter.
    const settlements = (cls: string) => javaClassModule(`com.acme.payments.settlements.${cls}`);
    assert.deepEqual([symbols.lookup(settlements('BatchSigner'), '(new)1#0')?.value, path.basename(symbols.lookup(settlements('BatchSigner'), '(new)1#0')?.file ?? '')], ['settlement-batch-hmac-2024-batch!', 'SettlementKeys.java']);
    assert.deepEqual([symbols.lookup(settlements('AbstractSettlementSigner'), '(new)1#0')?.value, symbols.lookup(settlements('AbstractSettlementSigner'), '(new)1#0')?.line], ['sandbox-settlement-signing-secret-0001', 12]);
    // new IllegalStateException("…") and other JDK classes are no key holders: nothing recorded.
    assert.equal(symbols.lookup(javaClassModule('com.acme.payments.settlements.IllegalStateException'), '(new)1#0'), undefined);
    // The nested record's default is not the annotated class's own property.
    assert.equal(symbols.lookup(cb('ChargebackProperties'), '=signingKey'), undefined);
  });

  describe('which profiles a project runs without choosing its own', () => {
    const LOYALTY = path.join(WORKSPACES, 'java-loyalty');
    const SERVICE = 'tokens/MemberTokenService.java';

    it('reads spring.profiles.active/include, .env locations, and keeps YAML aliases inside their document', async () => {
      const { findings, symbols } = await scanFiles(['.'], { cwd: LOYALTY, workers: 0 });
      assert.ok(symbols);
      // spring.profiles.active=local: the local file overrides the default file's ${LOYALTY_JWT_SECRET}.
      const member = secretAt(findings, SERVICE, 39);
      assert.deepEqual([member?.severity, /application-local\.properties:4/.test(member?.message ?? ''), /application\.properties:3 activates the local profile by default \(spring\.profiles\.active=local\)/.test(member?.message ?? '')], ['error', true, true]);
      // A ${VAR:default} of the active profile is what runs without the variable: not the info of a development profile.
      assert.equal(secretAt(findings, SERVICE, 46)?.severity, 'error');
      assert.match(secretAt(findings, SERVICE, 46)?.message ?? '', /local profile, which application\.properties:3 activates by default/);
      // SPRING_CONFIG_ADDITIONAL_LOCATION of .env names deploy/, whose file wins over the default file.
      assert.match(secretAt(findings, SERVICE, 53)?.message ?? '', /deploy\/application\.properties:2/);
      // spring.profiles.include: a profile every deployment loads, whatever its name (was a warning).
      const feed = secretAt(findings, SERVICE, 58);
      assert.deepEqual([feed?.severity, /includes the rewards-feed profile in every deployment/.test(feed?.message ?? '')], ['error', true]);
      // The staging document's *demo-key names an anchor of the first document: not resolved.
      assert.equal(symbols.lookup(springConfigModule(LOYALTY, 'staging'), 'loyalty.tiers.platinumkey'), undefined);
      assert.equal(symbols.lookup(springConfigModule(LOYALTY, 'demo'), 'loyalty.tiers.silverkey')?.value, 'loyalty-demo-silver-key');
    });

    it('lets SPRING_PROFILES_ACTIVE of .env replace spring.profiles.active, and reads an include of a profile document as its group', async () => {
      const dir = tempWorkspace({
        '.env': 'SPRING_PROFILES_ACTIVE=prod\n',
        'src/main/resources/application.properties': 'spring.profiles.active=local\napp.jwt.secret=${APP_JWT_SECRET}\n',
        'src/main/resources/application-local.properties': 'app.jwt.secret=local-only-secret\n',
        'src/main/resources/application-prod.yml': 'spring:\n  profiles:\n    include:\n      - partner\n',
        'src/main/resources/application-partner.properties': 'app.jwt.secret=partner-feed-secret\n',
        'src/main/java/com/acme/app/Signer.java': SIGNER('secret'),
      });
      try {
        const { findings } = await scanFiles(['.'], { cwd: dir, workers: 0 });
        const secret = findings.find((f) => f.file.endsWith('Signer.java') && f.ruleId === 'jwt-hardcoded-secret');
        // prod runs (from .env) and includes partner: partner's literal, named by the .env line; local is not active.
        assert.match(secret?.message ?? '', /application-partner\.properties:1/);
        assert.match(secret?.message ?? '', /\.env:1 activates the prod profile by default \(SPRING_PROFILES_ACTIVE=prod\), which activates partner/);
        assert.equal(secret?.severity, 'error');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('profiles the container starts the application with, and profile expressions', () => {
    const GATEWAY = path.join(WORKSPACES, 'java-gateway');
    const SERVICE = 'tokens/GatewayTokenService.java';
    const signerFiles = (extra: Record<string, string>) => ({
      'src/main/resources/application.properties': 'spring.profiles.active=local\napp.jwt.secret=${APP_JWT_SECRET}\n',
      'src/main/resources/application-local.properties': 'app.jwt.secret=local-only-secret\n',
      'src/main/resources/application-prod.properties': 'app.jwt.secret=prod-literal-secret\n',
      'src/main/java/com/acme/app/Signer.java': SIGNER('secret'),
      ...extra,
    });
    const signerFinding = async (dir: string) => {
      const { findings } = await scanFiles(['.'], { cwd: dir, workers: 0 });
      return findings.find((f) => f.file.endsWith('Signer.java') && f.ruleId === 'jwt-hardcoded-secret');
    };

    it('reads SPRING_PROFILES_ACTIVE of the compose file over the Dockerfile and spring.profiles.active, and evaluates on-profile expressions', async () => {
      const { findings } = await scanFiles(['.'], { cwd: GATEWAY, workers: 0 });
      // docker-compose.yml starts prod,edge (its ${…:-prod,edge} default): edge's literal is what the service signs with.
      const partner = secretAt(findings, SERVICE, 47);
      assert.equal(partner?.severity, 'error');
      assert.match(partner?.message ?? '', /docker-compose\.yml:9 starts the application with the edge profile \(SPRING_PROFILES_ACTIVE=edge\)/);
      // spring.profiles.active=dev is for the IDE: the container replaces it, so the dev document's literal is not read.
      assert.equal(secretAt(findings, SERVICE, 40), undefined);
      // "!dev" holds for prod,edge.
      const link = secretAt(findings, SERVICE, 55);
      assert.equal(link?.severity, 'error');
      assert.match(link?.message ?? '', /profile expression "!dev" \(spring\.config\.activate\.on-profile\), which holds for the profiles docker-compose\.yml:9 starts the application with \(SPRING_PROFILES_ACTIVE=prod,edge\)/);
      // "prod & eu" does not hold here, but it is production wherever it does; "local | test" is development only.
      assert.deepEqual([secretAt(findings, SERVICE, 62)?.severity, secretAt(findings, SERVICE, 69)?.severity], ['error', 'info']);
      assert.match(secretAt(findings, SERVICE, 62)?.message ?? '', /"prod & eu".*wherever the expression holds/);
    });

    it('reads ENV of the Dockerfile\'s final stage in both spellings, and -D/-- arguments over it', async () => {
      for (const [dockerfile, expected] of [
        ['FROM maven:3 AS build\nENV SPRING_PROFILES_ACTIVE=local\nFROM eclipse-temurin:21-jre\nENV SPRING_PROFILES_ACTIVE prod\nENTRYPOINT ["java","-jar","app.jar"]\n', /Dockerfile:4 starts the application with the prod profile \(SPRING_PROFILES_ACTIVE=prod\)/],
        ['FROM eclipse-temurin:21-jre\nARG PROFILE=prod\nENV JAVA_OPTS="-Xmx512m" \\\n    SPRING_PROFILES_ACTIVE=${PROFILE}\n', /Dockerfile:3 starts the application with the prod profile/],
        ['FROM eclipse-temurin:21-jre\nENV SPRING_PROFILES_ACTIVE=local\nENTRYPOINT ["java", "-Dspring.profiles.active=prod", "-jar", "app.jar"]\n', /Dockerfile:3 starts the application with the prod profile \(-Dspring\.profiles\.active=prod\)/],
      ] as const) {
        const dir = tempWorkspace(signerFiles({ Dockerfile: dockerfile }));
        try {
          const secret = await signerFinding(dir);
          assert.match(secret?.message ?? '', /application-prod\.properties:1/, dockerfile);
          assert.match(secret?.message ?? '', expected, dockerfile);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
    });

    it('reads a compose list of the folder above for the service built from the project, not a development compose file', async () => {
      const dir = tempWorkspace({
        'docker-compose.yml': 'services:\n  web:\n    build: ./web\n    environment:\n      - SPRING_PROFILES_ACTIVE=local\n  api:\n    build:\n      context: ./api\n    environment:\n      - "SPRING_PROFILES_ACTIVE=prod"\n',
        'api/docker-compose.local.yml': 'services:\n  api:\n    environment:\n      SPRING_PROFILES_ACTIVE: local\n',
        ...Object.fromEntries(Object.entries(signerFiles({})).map(([k, v]) => [`api/${k}`, v])),
      });
      try {
        const secret = await signerFinding(dir);
        assert.match(secret?.message ?? '', /application-prod\.properties:1/);
        assert.match(secret?.message ?? '', /docker-compose\.yml:10 starts the application with the prod profile/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reads an on-profile block list as any of its profiles, not as the default document', async () => {
      const dir = tempWorkspace({
        'src/main/resources/application.yml': 'app:\n  jwt:\n    issuer: acme\n---\nspring:\n  config:\n    activate:\n      on-profile:\n        - local\n        - test\napp:\n  jwt:\n    secret: local-or-test-secret\n',
        'src/main/java/com/acme/app/Signer.java': SIGNER('secret'),
      });
      try {
        // Before, the list was not read: the document counted as the default one, so its literal was an error for every profile.
        const { findings, symbols } = await scanFiles(['.'], { cwd: dir, workers: 0 });
        assert.equal(symbols?.lookup(springConfigModule(dir, 'local,test'), 'app.jwt.secret')?.value, 'local-or-test-secret');
        assert.equal(findings.find((f) => f.file.endsWith('Signer.java') && f.ruleId === 'jwt-hardcoded-secret')?.severity, 'info');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('evaluates expressions of #--- documents in properties files, with no profile active', async () => {
      const dir = tempWorkspace({
        'src/main/resources/application.properties': 'app.jwt.secret=${APP_JWT_SECRET}\n#---\nspring.config.activate.on-profile=!local & !test\napp.jwt.secret=outside-local-secret\n',
        'src/main/java/com/acme/app/Signer.java': SIGNER('secret'),
      });
      try {
        const secret = await signerFinding(dir);
        assert.equal(secret?.severity, 'error');
        assert.match(secret?.message ?? '', /application\.properties:4 sets to a literal committed with the code in a document for the profile expression "!local & !test".*which holds in a deployment that activates no profile/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
