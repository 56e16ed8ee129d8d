import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { problemType } from '@analytics/contracts';
import { ProblemDetailsFilter } from '@analytics/http';
import { DomainError } from './domain-errors';

/** Maps domain errors to problem documents at the edge; everything else goes to the shared filter. */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter {
  private readonly problems = new ProblemDetailsFilter();

  catch(error: DomainError, host: ArgumentsHost): void {
    const problem = new HttpException(
      { type: problemType(error.code), detail: error.message, ...error.details },
      error.status,
    );
    this.problems.catch(problem, host);
  }
}
