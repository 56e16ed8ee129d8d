import { ConflictException, NotFoundException } from '@nestjs/common';
import { toProblem } from './problem-details.filter';
import { RequestValidationException } from './validation';

describe('toProblem', () => {
  it('keeps the status of an HttpException and uses the standard title', () => {
    expect(toProblem(new NotFoundException('no such profile'), '/v1/x')).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'no such profile',
      instance: '/v1/x',
    });
  });

  it('passes typed problems through with their field errors', () => {
    const problem = toProblem(new RequestValidationException([{ field: 'name', message: 'name is too long' }]));
    expect(problem).toMatchObject({
      type: 'https://analytics-engine.dev/problems/validation-error',
      status: 400,
      errors: [{ field: 'name', message: 'name is too long' }],
    });
  });

  it('keeps the 4xx status of Fastify client errors such as an oversized body', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(toProblem(tooLarge)).toMatchObject({ status: 413, title: 'Payload Too Large' });
  });

  it('hides the message of unexpected errors behind a generic 500', () => {
    const problem = toProblem(new Error('password=hunter2 in connection string'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('hunter2');
  });

  it('uses the body of an exception that is already a problem', () => {
    const conflict = new ConflictException({ type: 'https://x/version-conflict', detail: 'stale', currentVersion: 3 });
    expect(toProblem(conflict)).toMatchObject({ status: 409, currentVersion: 3, type: 'https://x/version-conflict' });
  });
});
