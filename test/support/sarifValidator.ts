import * as fs from 'node:fs';
import * as path from 'node:path';

type Validate = ((d: unknown) => boolean) & { errors?: unknown[] };
type AjvCtor = new (o: object) => { addMetaSchema(s: object): void; compile(s: object): Validate };

const readJson = (file: string): object => JSON.parse(fs.readFileSync(file, 'utf8')) as object;

/** The SARIF 2.1.0 schema (draft-04) as @microsoft/jest-sarif ships it, validated with its ajv 6. */
export async function sarifValidator(): Promise<(data: unknown) => { valid: boolean; errors: string }> {
  const home = path.dirname(require.resolve('@microsoft/jest-sarif/package.json'));
  const ajvModule = (await import(require.resolve('ajv', { paths: [home] }))) as { default: AjvCtor };
  const ajv = new ajvModule.default({ schemaId: 'auto', allErrors: true, validateSchema: false });
  ajv.addMetaSchema(readJson(require.resolve('ajv/lib/refs/json-schema-draft-04.json', { paths: [home] })));
  const validate = ajv.compile(readJson(path.join(home, 'lib/schemas/sarif-2.1.0-rtm.5.json')));
  return (data) => ({ valid: validate(data), errors: JSON.stringify(validate.errors ?? [], null, 2) });
}
