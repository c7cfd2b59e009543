// Validate JSON documents against a JSON Schema with ajv, and print, as JSON
// on standard output, {"FILE": null | [errors…]} (null: valid).
// The schema's "$schema" picks the draft (2020-12 or draft-07).
// Usage: node validate.mjs SCHEMA.json FILE.json…
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';

const [schemaFile, ...files] = process.argv.slice(2);
const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
const Validator = String(schema.$schema || '').includes('2020-12') ? Ajv2020 : Ajv;
// strict: unknown keywords in the schema are errors, so a typo cannot pass silently.
const ajv = new Validator({ allErrors: true, strict: true });
const validate = ajv.compile(schema);
const result = {};
for (const f of files) {
  const ok = validate(JSON.parse(readFileSync(f, 'utf8')));
  result[f] = ok ? null : validate.errors.slice(0, 10);
}
console.log(JSON.stringify(result));
