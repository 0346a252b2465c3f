// Validators for generated files, built from schemas nobody here wrote (test/schemas/README.md).
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { default as formats } from 'ajv-formats';
import { parse } from 'yaml';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../schemas/${name}`, import.meta.url), 'utf8'));

function validator(schemaFile: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (formats as unknown as (a: Ajv2020) => void)(ajv);
  const validate = ajv.compile(load(schemaFile));
  return (yamlText: string): string[] => {
    const doc = parse(yamlText);
    if (validate(doc)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

export const renderSchemaErrors = validator('render-blueprint.schema.json');
export const composeSchemaErrors = validator('compose-go.schema.json');
/** prod-ready.json against the schema this package publishes (schemas/prod-ready.schema.json). */
export const memorySchemaErrors = validator('../../schemas/prod-ready.schema.json');
