import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, problemType } from '@analytics/contracts';

/** Thrown by the validation pipe; carries the per-field errors into the problem response. */
export class RequestValidationException extends BadRequestException {
  constructor(readonly fieldErrors: FieldError[]) {
    super({
      type: problemType('validation-error'),
      title: 'Request validation failed',
      detail: `${fieldErrors.length} field(s) are invalid`,
      errors: fieldErrors,
    });
  }
}

/** Flattens class-validator's nested errors into `{ field: 'a.b.0.c', message }` entries. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * The global pipe: validates DTOs with class-validator, rejects unknown fields (never silently
 * drops them: a typo must not look like success), and converts query strings to declared types.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationException(toFieldErrors(errors)),
  });
}
