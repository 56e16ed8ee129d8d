import { ValidateBy, ValidationOptions } from 'class-validator';

/** A plain JSON object (not an array, not null). */
export function IsJsonObject(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isJsonObject',
      validator: {
        validate: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
        defaultMessage: (args) => `${args?.property} must be a JSON object`,
      },
    },
    options,
  );
}

/** A feature flag's name: lower-case, starts with a letter, up to 64 characters. */
export const FEATURE_FLAG_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/** A JSON object whose values are all booleans (feature flags). */
export function IsBooleanMap(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isBooleanMap',
      validator: {
        validate: (value) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(([key, flag]) => FEATURE_FLAG_NAME.test(key) && typeof flag === 'boolean'),
        defaultMessage: (args) => `${args?.property} must map flag names (lower-case, up to 64 chars) to booleans`,
      },
    },
    options,
  );
}
