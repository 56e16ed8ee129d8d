import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

interface MediaType {
  schema?: object;
}
interface OperationObject {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, object> };
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const VALIDATOR_CLI = join(
  __dirname,
  '..',
  '..',
  'node_modules',
  '@seriousme',
  'openapi-schema-validator',
  'bin',
  'validate-api-cli.js',
);

/**
 * The problems @seriousme/openapi-schema-validator finds in `document` (none: valid). It is an
 * ES module using import.meta, which jest's CommonJS runtime cannot load: it runs as its own CLI.
 */
export async function openApiProblems(document: object): Promise<string[]> {
  const folder = await mkdtemp(join(tmpdir(), 'openapi-'));
  try {
    const file = join(folder, 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    const { stdout } = await promisify(execFile)(process.execPath, [VALIDATOR_CLI, file]);
    const result = JSON.parse(stdout) as { valid: boolean; errors?: { instancePath: string; message: string }[] };
    if (result.valid) return [];
    return (result.errors ?? [{ instancePath: '', message: 'invalid' }]).map((e) => `${e.instancePath}: ${e.message}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export interface WalkRequest {
  /** Path parameters by name, inserted as given (so that a test can send invalid ones). */
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, with `headers['content-type']`. */
  rawBody?: string;
}

export interface WalkResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A client of one app that only speaks what its OpenAPI document says: each call names a
 * documented operation (`'POST /v1/client-configs'`), and each response must have a status the
 * operation documents, a documented media type and a body matching the documented schema.
 * It records which operations were walked, so that a test can require all of them.
 */
export class OpenApiWalk {
  readonly operations: ReadonlySet<string>;
  private readonly walked = new Set<string>();
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(
    private readonly baseUrl: string,
    readonly document: OpenApiDocument,
  ) {
    this.operations = new Set(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((method) => HTTP_METHODS.includes(method))
          .map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    // `nullable` (OpenAPI 3.0) is understood by ajv; `example` and the like are not keywords.
    this.ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
    this.ajv.addSchema({ $id: 'openapi', components: document.components ?? {} });
  }

  /** Walks the app at `baseUrl` by the document it serves at `/docs-json` (check it with openApiProblems). */
  static async of(baseUrl: string): Promise<OpenApiWalk> {
    const response = await fetch(`${baseUrl}/docs-json`);
    if (response.status !== 200) throw new Error(`${baseUrl}/docs-json answered ${response.status}`);
    return new OpenApiWalk(baseUrl, (await response.json()) as OpenApiDocument);
  }

  /** Documented operations no call has walked yet. */
  unwalked(): string[] {
    return [...this.operations].filter((operation) => !this.walked.has(operation)).sort();
  }

  /** Sends a request for `operation`; throws when the answer is not what the document says. */
  async call<T = unknown>(operation: string, request: WalkRequest = {}): Promise<WalkResponse<T>> {
    const [method, template] = operation.split(' ');
    const spec = this.document.paths[template]?.[method.toLowerCase()];
    if (!spec) throw new Error(`${operation} is not in the document`);
    this.walked.add(operation);

    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = request.params?.[name];
      if (value === undefined) throw new Error(`${operation}: no value for {${name}}`);
      return value;
    });
    const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
    const headers: Record<string, string> = { ...request.headers };
    let body: string | undefined = request.rawBody;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}${query}`, { method, headers, body });
    const text = await response.text();
    const described = `${operation} (${method} ${path}${query}) answered ${response.status} ${text.slice(0, 500)}`;

    const documented = spec.responses[String(response.status)] ?? spec.responses.default;
    if (!documented) {
      throw new Error(`${described}: status not documented (${Object.keys(spec.responses).join(', ')})`);
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    const content = documented.content ?? {};
    if (Object.keys(content).length === 0) {
      if (text !== '') throw new Error(`${described}: a body where the document describes none`);
      return { status: response.status, headers: response.headers, body: undefined as T };
    }
    if (!content[mediaType]) {
      throw new Error(`${described}: media type ${mediaType} not documented (${Object.keys(content).join(', ')})`);
    }
    const parsed = JSON.parse(text) as T;
    const schema = content[mediaType].schema;
    if (schema) {
      const validate = this.validatorFor(`${operation} ${response.status} ${mediaType}`, schema);
      if (!validate(parsed)) {
        throw new Error(
          `${described}: body does not match the documented schema: ${this.ajv.errorsText(validate.errors)}`,
        );
      }
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  private validatorFor(key: string, schema: object): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      // The document's references point into its components, registered as the schema `openapi`.
      const resolved = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
      validate = this.ajv.compile(resolved);
      this.validators.set(key, validate);
    }
    return validate;
  }
}
