import { EVENT_HEADERS } from '../envelope';
import { envelopeSchemaOf } from './envelope-schema';
import { StreamContract } from './event-schema';

export interface AsyncApiOptions {
  /** The topic each stream type is published on (the contract name, with any deployment prefix). */
  topicOf: (streamType: string) => string;
  version: string;
}

/**
 * The AsyncAPI 3.0 document of the event topics, built from the stream contracts so that it
 * always describes what the code publishes. Every version still readable is listed.
 */
export function buildAsyncApiDocument(contracts: readonly StreamContract[], options: AsyncApiOptions) {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const contract of contracts) {
    const channelMessages: Record<string, unknown> = {};
    for (const event of [...contract.current, ...contract.legacy]) {
      const name = String(event.$id);
      messages[name] = {
        name,
        title: event.title,
        summary: event.description,
        contentType: 'application/json',
        headers: HEADERS_SCHEMA,
        payload: envelopeSchemaOf(event, contract.streamType),
        correlationId: { location: '$message.payload#/correlationId' },
        bindings: { kafka: { key: { type: 'string', format: 'uuid' }, bindingVersion: '0.5.0' } },
      };
      channelMessages[name] = { $ref: `#/components/messages/${name}` };
    }
    channels[contract.streamType] = {
      address: options.topicOf(contract.streamType),
      description: `${contract.description} Key: the stream id (per-stream order).`,
      messages: channelMessages,
      bindings: { kafka: { topic: options.topicOf(contract.streamType), bindingVersion: '0.5.0' } },
    };
    operations[`publish-${contract.streamType}-events`] = {
      action: 'send',
      channel: { $ref: `#/channels/${contract.streamType}` },
      messages: Object.keys(channelMessages).map((name) => ({
        $ref: `#/channels/${contract.streamType}/messages/${name}`,
      })),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Analytics Engine events',
      version: options.version,
      description:
        'Events published by command-api through its transactional outbox: at least once, in order per stream. ' +
        'Consumers dedupe on the envelope `id` (or stream id + version) and read `data` through `schemaVersion`.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}

const HEADERS_SCHEMA = {
  type: 'object',
  description: 'CloudEvents Kafka protocol binding (binary mode)',
  properties: {
    [EVENT_HEADERS.id]: { type: 'string', description: 'The envelope id' },
    [EVENT_HEADERS.type]: { type: 'string', description: 'The envelope type' },
    [EVENT_HEADERS.source]: { type: 'string' },
    [EVENT_HEADERS.specVersion]: { type: 'string', const: '1.0' },
    [EVENT_HEADERS.time]: { type: 'string', format: 'date-time' },
    [EVENT_HEADERS.subject]: { type: 'string', description: '<stream type>/<stream id>' },
    [EVENT_HEADERS.contentType]: { type: 'string', const: 'application/json' },
    [EVENT_HEADERS.correlationId]: { type: 'string', description: 'The envelope correlationId' },
  },
  required: Object.values(EVENT_HEADERS),
};
