import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LoggingModule } from '@analytics/observability';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { createHttpApp } from './create-http-app';

class RenameRequest {
  @IsString()
  @MaxLength(20)
  name!: string;

  @IsInt()
  @Min(1)
  @Max(10)
  priority!: number;
}

@Controller('things')
class ThingsController {
  @Post()
  @HttpCode(201)
  create(@Body() body: RenameRequest) {
    return { received: body };
  }
}

@Module({
  imports: [ConfigModule.forRoot({ ignoreEnvFile: true }), LoggingModule.forRoot({ app: 'http-test' })],
  controllers: [ThingsController],
})
class TestModule {}

/** The HTTP edge both apps share: what a client sees for good and bad requests. */
describe('createHttpApp', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    app = await createHttpApp(TestModule, { name: 'http-test', description: 'test', bodyLimitBytes: 1024 });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app?.close());

  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/v1/things', payload, headers: { 'content-type': contentType } });

  it('accepts a valid body under /v1', async () => {
    const response = await post(JSON.stringify({ name: 'a', priority: 2 }));
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ received: { name: 'a', priority: 2 } });
  });

  it('rejects unknown fields with a validation problem naming them', async () => {
    const response = await post(JSON.stringify({ name: 'a', priority: 2, isAdmin: true }));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      type: 'https://analytics-engine.dev/problems/validation-error',
      status: 400,
      errors: [{ field: 'isAdmin', message: 'property isAdmin should not exist' }],
    });
  });

  it('lists every invalid field', async () => {
    const response = await post(JSON.stringify({ name: 'x'.repeat(21), priority: '3' }));
    const fields = (response.json().errors as { field: string }[]).map((error) => error.field);
    expect(response.statusCode).toBe(400);
    expect(new Set(fields)).toEqual(new Set(['name', 'priority']));
  });

  it.each([
    ['malformed JSON', '{"name":', 'application/json', 400],
    ['a body over the limit', JSON.stringify({ name: 'x'.repeat(2000), priority: 1 }), 'application/json', 413],
    ['an unsupported content type', 'name=a', 'text/csv', 415],
  ])('answers %s with a problem document (%#)', async (_, payload, contentType, status) => {
    const response = await post(payload, contentType);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status, type: 'about:blank' });
  });

  it('takes the correlation id from X-Correlation-Id, or makes one', async () => {
    const given = await app.inject({ method: 'GET', url: '/v1/none', headers: { 'x-correlation-id': 'abc-123' } });
    expect(given.headers['x-correlation-id']).toBe('abc-123');
    const made = await app.inject({ method: 'GET', url: '/v1/none', headers: { 'x-correlation-id': 'bad value!' } });
    expect(made.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
