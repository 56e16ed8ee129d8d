import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ValidateFunction } from 'ajv';
import { CollectedMessage } from './event-collector';

interface AsyncApiMessage {
  name: string;
  headers: object;
  payload: { properties: { type: { const: string }; schemaVersion: { const: number } } };
}
export interface AsyncApiDocument {
  channels: Record<string, { address: string; messages: Record<string, unknown> }>;
  components: { messages: Record<string, AsyncApiMessage> };
}

/** The published event schemas (command-api's `/asyncapi.json`), as a downstream team checks messages. */
export interface EventSchemas {
  document: AsyncApiDocument;
  /** What is wrong with one Kafka message: none when its payload and headers match its type's schemas. */
  problemsOf(message: CollectedMessage): string[];
}

export async function eventSchemasOf(commandApiBaseUrl: string): Promise<EventSchemas> {
  const document = (await (await fetch(`${commandApiBaseUrl}/asyncapi.json`)).json()) as AsyncApiDocument;
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  const schemas = new Map<string, { payload: ValidateFunction; headers: ValidateFunction }>();
  for (const message of Object.values(document.components.messages)) {
    const { type, schemaVersion } = message.payload.properties;
    schemas.set(`${type.const}@${schemaVersion.const}`, {
      payload: ajv.compile(message.payload),
      headers: ajv.compile(message.headers),
    });
  }
  return {
    document,
    problemsOf: (message) => {
      const envelope = message.value as { type: string; schemaVersion: number; streamId: string };
      const schema = schemas.get(`${envelope.type}@${envelope.schemaVersion}`);
      if (!schema) return [`${envelope.type} v${envelope.schemaVersion}: not in the AsyncAPI document`];
      const problems: string[] = [];
      if (!schema.payload(message.value)) problems.push(`${envelope.type}: ${ajv.errorsText(schema.payload.errors)}`);
      if (!schema.headers({ ...message.headers })) {
        problems.push(`${envelope.type} headers: ${ajv.errorsText(schema.headers.errors)}`);
      }
      if (message.key !== envelope.streamId) problems.push(`${envelope.type}: key ${message.key} is not the stream id`);
      return problems;
    },
  };
}
