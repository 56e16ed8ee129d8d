import { EVENT_HEADERS, EventEnvelope } from '@analytics/contracts';
import { RecordedEvent } from '../event-store';

/** The contract envelope (shared/DESIGN.md section 3) of a stored event. */
export function toEnvelope(event: RecordedEvent): EventEnvelope {
  const { correlationId, causationId, ...metadata } = event.metadata as {
    correlationId?: string;
    causationId?: string | null;
  } & Record<string, unknown>;
  return {
    id: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamType: event.streamType,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    position: event.position,
    occurredAt: event.occurredAt.toISOString(),
    correlationId: correlationId ?? event.eventId,
    causationId: causationId ?? null,
    data: event.data,
    metadata,
  };
}

/** Kafka headers in the CloudEvents Kafka binding style, plus the content type. */
export function cloudEventHeaders(envelope: EventEnvelope, source: string): Record<string, string> {
  return {
    [EVENT_HEADERS.id]: envelope.id,
    [EVENT_HEADERS.type]: envelope.type,
    [EVENT_HEADERS.source]: source,
    [EVENT_HEADERS.specVersion]: '1.0',
    [EVENT_HEADERS.time]: envelope.occurredAt,
    [EVENT_HEADERS.subject]: `${envelope.streamType}/${envelope.streamId}`,
    [EVENT_HEADERS.correlationId]: envelope.correlationId,
    [EVENT_HEADERS.contentType]: 'application/json',
  };
}
