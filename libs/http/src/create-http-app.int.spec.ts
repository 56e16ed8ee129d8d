import { Body, Controller, Get, HttpCode, Module, Param, Post, Query } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LoggingModule } from '@analytics/observability';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { createHttpApp, MAX_BODY_DEPTH } from './create-http-app';

class RenameRequest {
  @IsString()
  @MaxLength(20)
  name!: string;

  @IsInt()
  @Min(1)
  @Max(10)
  priority!: number;
}

class ListThingsRequest {
  @IsString()
  @IsOptional()
  name?: string;
}

@Controller('things')
class ThingsController {
  @Post()
  @HttpCode(201)
  create(@Body() body: RenameRequest) {
    return { received: body };
  }

  @Post(':id/archive')
  @HttpCode(200)
  archive(@Param('id') id: string) {
    return { archived: id };
  }

  @Get()
  list(@Query() query: ListThingsRequest) {
    return { query };
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

  it('refuses query parameters on an operation that declares none, and unknown ones where it declares some', async () => {
    const archive = await app.inject({ method: 'POST', url: '/v1/things/7/archive?force=true' });
    expect(archive.statusCode).toBe(400);
    expect(archive.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(archive.json()).toMatchObject({
      type: 'https://analytics-engine.dev/problems/validation-error',
      errors: [{ field: 'force', message: 'query parameter force is not accepted by this operation' }],
    });
    expect((await app.inject({ method: 'POST', url: '/v1/things/7/archive' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/things?name=a' })).json()).toEqual({ query: { name: 'a' } });
    const unknown = await app.inject({ method: 'GET', url: '/v1/things?name=a&isAdmin=1' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([{ field: 'isAdmin', message: 'property isAdmin should not exist' }]);
  });

  it('reads escaped keys as sent, also after a body with a `\\` key (V8 bug in JSON.parse)', async () => {
    const unknownFieldOf = async (key: string) => {
      const response = await post(`{"name":"a","priority":2,${JSON.stringify(key)}:1}`);
      expect(response.statusCode).toBe(400);
      return (response.json().errors as { field: string }[]).map((error) => error.field);
    };
    expect(await unknownFieldOf('\\')).toEqual(['\\']);
    expect(await unknownFieldOf('"')).toEqual(['"']);
  });

  it('refuses a __proto__ member (prototype poisoning) with a problem document', async () => {
    const response = await post('{"name":"a","priority":2,"__proto__":{"isAdmin":true}}');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
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

  it('refuses a body nested deeper than MAX_BODY_DEPTH with a problem, not a stack overflow (500)', async () => {
    const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const app2 = await createHttpApp(TestModule, { name: 'http-test', description: 'test' });
    await app2.init();
    try {
      const response = await app2.inject({
        method: 'POST',
        url: '/v1/things',
        payload: nested(30_000),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 400, detail: expect.stringMatching(/nested deeper than 64/) });
    } finally {
      await app2.close();
    }
    // Within the limit, validation answers as usual.
    expect((await post(nested(MAX_BODY_DEPTH))).json()).toMatchObject({ status: 400, errors: expect.any(Array) });
  });

  it.each([
    ['an undecodable %-escape in a path parameter', '/v1/things/%E0%A4%A/archive', 400],
    ['a path parameter over the length limit', `/v1/things/${'a'.repeat(500)}/archive`, 414],
  ])('answers %s with a problem document', async (_, url, status) => {
    const response = await app.inject({ method: 'POST', url });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status, type: 'about:blank', title: expect.any(String) });
  });

  it('takes the correlation id from X-Correlation-Id, or makes one', async () => {
    const given = await app.inject({ method: 'GET', url: '/v1/none', headers: { 'x-correlation-id': 'abc-123' } });
    expect(given.headers['x-correlation-id']).toBe('abc-123');
    const made = await app.inject({ method: 'GET', url: '/v1/none', headers: { 'x-correlation-id': 'bad value!' } });
    expect(made.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
