import {
  envelopeSchemaOf,
  EventSchema,
  STREAM_CONTRACTS,
  StreamContract,
  UpcasterRegistry,
  upcasters as defaultUpcasters,
} from '@analytics/contracts';
import { parseJson } from '@analytics/json';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ProjectedEvent } from './projected-event';

/** Why a message could not be turned into an event (the dead letter's `reason`). */
export type DecodeFailureReason =
  | 'empty'
  | 'too-large'
  | 'invalid-json'
  | 'forbidden-key'
  | 'invalid-envelope'
  | 'wrong-stream-type'
  | 'unknown-event-type'
  | 'schema-mismatch';

/** What can still be told about a message that failed: enough to block its stream and dedupe. */
export interface EventIdentity {
  eventId?: string;
  type?: string;
  streamType?: string;
  streamId?: string;
  streamVersion?: number;
  position?: string;
}

export type DecodeResult =
  | { ok: true; event: ProjectedEvent; parsed: Record<string, unknown> }
  | {
      ok: false;
      reason: DecodeFailureReason;
      detail: string;
      identity: EventIdentity;
      /** The parsed JSON when the value was JSON of a sane size (stored for retries). */
      parsed?: Record<string, unknown>;
    };

export interface DecoderOptions {
  /** Largest value accepted, in bytes (larger: dead letter `too-large`). */
  maxBytes: number;
  contracts?: readonly StreamContract[];
  upcasters?: UpcasterRegistry;
}

const FORBIDDEN_KEYS = new Set(['__proto__']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class ForbiddenKeyError extends Error {}

/**
 * JSON with no `__proto__` member anywhere. A reviver finds one whatever its escapes, but calling
 * it on every member makes parsing several times slower; without a backslash in the text every
 * key is written literally, so a text that does not contain `__proto__` can have no such key.
 */
function parseWithoutForbiddenKeys(text: string): unknown {
  if (!text.includes('\\') && !text.includes('__proto__')) return parseJson(text);
  return parseJson(text, (key, member: unknown) => {
    if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError(key);
    return member;
  });
}

/**
 * Turns a Kafka message value into an event the projections can apply, or says precisely why
 * not. Pure and deterministic: the same bytes always give the same answer, so a failure here is
 * never retried (it goes straight to the dead letters).
 *
 * Checks, in order: size (before parsing), JSON, no `__proto__` member anywhere, the envelope of
 * a known type and schema version (JSON Schema from the contracts), the topic's stream type, then
 * upcasting to the current version and validating the result against the current schema.
 */
export class EventDecoder {
  /** Per type and schema version: its stream type, its envelope's validator, and whether it is current. */
  private readonly envelopes = new Map<string, { streamType: string; validate: ValidateFunction; current: boolean }>();
  private readonly current = new Map<string, ValidateFunction>();
  private readonly upcasters: UpcasterRegistry;
  private readonly ajv = addFormats(new Ajv({ strict: false, allErrors: false }));

  constructor(private readonly options: DecoderOptions) {
    this.upcasters = options.upcasters ?? defaultUpcasters;
    for (const contract of options.contracts ?? STREAM_CONTRACTS) {
      for (const schema of [...contract.current, ...contract.legacy]) {
        this.envelopes.set(keyOf(schema), {
          streamType: contract.streamType,
          validate: this.ajv.compile(envelopeSchemaOf(schema, contract.streamType)),
          current: contract.current.includes(schema),
        });
      }
      for (const schema of contract.current) {
        this.current.set(String(schema.properties.type.const), this.ajv.compile(schema));
      }
    }
  }

  decode(value: Buffer | string | null | undefined, topicStreamType: string): DecodeResult {
    const size = value == null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length;
    if (value == null || size === 0) return failure('empty', 'The message has no value', {});
    if (size > this.options.maxBytes) {
      return failure('too-large', `The value has ${size} bytes; at most ${this.options.maxBytes} are accepted`, {});
    }
    let parsed: unknown;
    try {
      parsed = parseWithoutForbiddenKeys(value.toString());
    } catch (error) {
      if (error instanceof ForbiddenKeyError) {
        return failure('forbidden-key', `The value has a member named ${JSON.stringify(error.message)}`, {});
      }
      return failure('invalid-json', `The value is not JSON: ${(error as Error).message}`, {});
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return failure('invalid-envelope', 'The value is not a JSON object', {});
    }
    return this.decodeEnvelope(parsed as Record<string, unknown>, topicStreamType);
  }

  /** Validates, upcasts and re-validates an already parsed envelope (also used on retries). */
  decodeEnvelope(parsed: Record<string, unknown>, topicStreamType: string): DecodeResult {
    const identity = identityOf(parsed);
    const fail = (reason: DecodeFailureReason, detail: string): DecodeResult => ({
      ok: false,
      reason,
      detail,
      identity,
      parsed,
    });
    if (identity.streamType !== undefined && identity.streamType !== topicStreamType) {
      return fail('wrong-stream-type', `A ${identity.streamType} event on the ${topicStreamType} topic`);
    }
    const key = `${String(parsed.type)}@v${String(parsed.schemaVersion)}`;
    const envelope = this.envelopes.get(key);
    if (!envelope) {
      if (typeof parsed.type !== 'string' || !Number.isInteger(parsed.schemaVersion)) {
        return fail('invalid-envelope', 'The envelope has no type or no integer schemaVersion');
      }
      return fail('unknown-event-type', `No schema for ${parsed.type} version ${String(parsed.schemaVersion)}`);
    }
    if (envelope.streamType !== topicStreamType) {
      return fail(
        'wrong-stream-type',
        `${String(parsed.type)} belongs to ${envelope.streamType}, not ${topicStreamType}`,
      );
    }
    if (!envelope.validate(parsed)) {
      return fail('invalid-envelope', this.ajv.errorsText(envelope.validate.errors, { dataVar: 'event' }));
    }
    const event = parsed as unknown as ProjectedEvent;
    const upcast = this.upcasters.upcast(event);
    // An event of the current version that no upcaster touched was just validated against it.
    if (upcast === event && envelope.current) return { ok: true, event, parsed };
    const validateCurrent = this.current.get(upcast.type);
    if (!validateCurrent) return fail('unknown-event-type', `No current schema for ${upcast.type}`);
    const shape = { type: upcast.type, schemaVersion: upcast.schemaVersion, data: upcast.data };
    if (!validateCurrent(shape)) {
      return fail(
        'schema-mismatch',
        `After upcasting to version ${upcast.schemaVersion}: ${this.ajv.errorsText(validateCurrent.errors, { dataVar: 'event' })}`,
      );
    }
    return { ok: true, event: upcast, parsed };
  }
}

function keyOf(schema: EventSchema): string {
  return `${String(schema.properties.type.const)}@v${String(schema.properties.schemaVersion.const)}`;
}

function failure(reason: DecodeFailureReason, detail: string, identity: EventIdentity): DecodeResult {
  return { ok: false, reason, detail, identity };
}

/** The identifying members of an envelope, each only when well formed. */
export function identityOf(parsed: Record<string, unknown>): EventIdentity {
  const identity: EventIdentity = {};
  if (typeof parsed.id === 'string' && UUID.test(parsed.id)) identity.eventId = parsed.id.toLowerCase();
  if (typeof parsed.type === 'string' && parsed.type.length <= 128) identity.type = parsed.type;
  if (typeof parsed.streamType === 'string' && parsed.streamType.length <= 64) identity.streamType = parsed.streamType;
  if (typeof parsed.streamId === 'string' && parsed.streamId.length > 0 && parsed.streamId.length <= 128) {
    identity.streamId = parsed.streamId;
  }
  if (Number.isInteger(parsed.streamVersion) && (parsed.streamVersion as number) >= 1) {
    identity.streamVersion = Math.min(parsed.streamVersion as number, 2_147_483_647);
  }
  if (typeof parsed.position === 'string' && /^[0-9]{1,19}$/.test(parsed.position)) identity.position = parsed.position;
  return identity;
}
