import { CONNECTOR_TAG_PATTERN } from '@analytics/contracts';
import { ValidateBy, ValidationOptions } from 'class-validator';

export const CONNECTOR_TAG = new RegExp(CONNECTOR_TAG_PATTERN);

/** A JSON object whose values are all strings (a secret map: `{ password: "..." }`). */
export function IsStringMap(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.values(value).every((item) => typeof item === 'string'),
        // Never echo the value: it holds credentials.
        defaultMessage: (args) => `${args?.property} must be an object of strings`,
      },
    },
    options,
  );
}
