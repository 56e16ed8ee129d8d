import { ConnectorProfileRegisteredSchema, ConnectorProfileUpdatedSchema } from '@analytics/contracts';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { CONNECTOR_KINDS, ConnectorKind, connectorSettingsErrors } from './connector-kinds';

const valid: Record<ConnectorKind, { config: Record<string, unknown>; secrets: Record<string, string> }> = {
  postgres: {
    config: { host: 'db.internal', port: 5432, database: 'orders', username: 'reader', sslMode: 'verify-full' },
    secrets: { password: 'pw' },
  },
  mysql: { config: { host: '10.0.0.7', port: 3306, database: 'shop', username: 'app' }, secrets: { password: 'pw' } },
  rest_api: {
    config: { baseUrl: 'https://api.example.com/v2', headers: { Accept: 'application/json' }, timeoutMs: 5000 },
    secrets: { token: 't' },
  },
  kafka: { config: { brokers: ['k1:9092', 'k2.internal:9093'], topicPrefix: 'acme.' }, secrets: {} },
  s3: {
    config: { bucket: 'acme-data', region: 'eu-west-3', prefix: 'raw/', endpoint: 'http://minio:9000' },
    secrets: { accessKeyId: 'AKIA', secretAccessKey: 'x' },
  },
  sftp: {
    config: { host: 'files.example.com', port: 22, username: 'etl', path: '/incoming' },
    secrets: { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----' },
  },
};

// The contract as a downstream consumer would check it: standard JSON Schema, formats included.
const ajv = addFormats(new Ajv({ strict: false }));
const registeredIsValid = ajv.compile(ConnectorProfileRegisteredSchema);
const updatedIsValid = ajv.compile(ConnectorProfileUpdatedSchema);

const fieldsOf = (kind: ConnectorKind, settings: Parameters<typeof connectorSettingsErrors>[1]) =>
  connectorSettingsErrors(kind, settings).map((error) => error.field);

describe('connector kinds', () => {
  it.each(CONNECTOR_KINDS)('accepts a valid %s config and secrets, which the event contract accepts too', (kind) => {
    expect(connectorSettingsErrors(kind, valid[kind])).toEqual([]);
    const data = {
      clientId: 'acme',
      name: 'n',
      kind,
      config: valid[kind].config,
      tags: [],
      secrets: 'v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA',
      secretNames: ['password'],
    };
    expect(registeredIsValid({ type: 'connector-profile.registered', schemaVersion: 1, data })).toBe(true);
    expect(
      updatedIsValid({
        type: 'connector-profile.updated',
        schemaVersion: 1,
        data: { config: valid[kind].config },
      }),
    ).toBe(true);
  });

  it('names the invalid fields with their path', () => {
    const { host: _, ...noHost } = valid.postgres.config;
    expect(fieldsOf('postgres', { config: noHost })).toContain('config.host');
    expect(fieldsOf('postgres', { config: { ...valid.postgres.config, port: 70000 } })).toEqual(['config.port']);
    expect(fieldsOf('postgres', { config: { ...valid.postgres.config, port: '5432' } })).toContain('config.port');
    expect(fieldsOf('postgres', { config: { ...valid.postgres.config, sslMode: 'maybe' } })).toEqual([
      'config.sslMode',
    ]);
    expect(fieldsOf('mysql', { config: { ...valid.mysql.config, colour: 'red' } })).toEqual(['config.colour']);
    expect(fieldsOf('rest_api', { config: { baseUrl: 'http://api.example.com' } })).toEqual(['config.baseUrl']);
    expect(fieldsOf('rest_api', { config: { ...valid.rest_api.config, headers: { Authorization: 'x' } } })).toEqual([
      'config.headers',
    ]);
    expect(fieldsOf('kafka', { config: { brokers: ['no-port'] } })).toEqual(['config.brokers']);
    expect(fieldsOf('kafka', { config: { brokers: [] } })).toEqual(['config.brokers']);
    expect(fieldsOf('s3', { config: { bucket: 'Bad_Bucket', region: 'eu-west-3' } })).toEqual(['config.bucket']);
    expect(fieldsOf('sftp', { config: { ...valid.sftp.config, path: 'relative' } })).toEqual(['config.path']);
  });

  it('accepts only the secrets of the kind and never echoes their values', () => {
    const errors = connectorSettingsErrors('postgres', { secrets: { token: 'hunter2-token', password: '' } });
    expect(errors.map((error) => error.field).sort()).toEqual(['secrets.password', 'secrets.token']);
    expect(JSON.stringify(errors)).not.toContain('hunter2');
  });

  it('checks a config of one kind against another kind', () => {
    expect(fieldsOf('s3', { config: valid.postgres.config }).length).toBeGreaterThan(0);
  });
});
