import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@analytics/contracts';

export class FieldErrorDocument {
  @ApiProperty({ description: 'Dotted path of the field in the request (`config.port`, `lineItems.0.quantity`)' })
  field!: string;

  @ApiProperty()
  message!: string;
}

/** RFC 9457 problem document: every error of both APIs. Extension members are allowed. */
export class ProblemDocument {
  @ApiProperty({ description: 'A URI naming the kind of problem (`about:blank` for plain HTTP errors)' })
  type!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599 })
  status!: number;

  @ApiProperty()
  detail!: string;

  @ApiPropertyOptional({ description: 'The request path' })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorDocument], description: 'Validation problems: one entry per invalid field' })
  errors?: FieldErrorDocument[];
}

/** Documents error responses of an operation as `application/problem+json` problem documents. */
export function ApiProblemResponses(responses: Partial<Record<400 | 404 | 409 | 413 | 414 | 415 | 422 | 503, string>>) {
  return applyDecorators(
    ApiExtraModels(ProblemDocument, FieldErrorDocument),
    ...Object.entries(responses).map(([status, description]) =>
      ApiResponse({
        status: Number(status),
        description,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDocument) } } },
      }),
    ),
  );
}
