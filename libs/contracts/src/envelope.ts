/**
 * The Kafka message value of every published event (contract, shared/DESIGN.md section 3).
 * `type` is stable (`connector-profile.registered`); `data` is read through `schemaVersion`.
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  id: string;
  type: TType;
  schemaVersion: number;
  streamType: string;
  streamId: string;
  streamVersion: number;
  position: string;
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  data: TData;
  metadata: Record<string, unknown>;
}

/** Kafka header names: CloudEvents Kafka protocol binding, binary mode, plus content type. */
export const EVENT_HEADERS = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  specVersion: 'ce_specversion',
  time: 'ce_time',
  subject: 'ce_subject',
  /** CloudEvents extension attribute: the correlation id of the request that caused the event. */
  correlationId: 'ce_correlationid',
  contentType: 'content-type',
} as const;
