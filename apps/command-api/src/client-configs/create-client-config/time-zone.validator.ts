import { isTimeZone, ValidateBy, ValidationOptions } from 'class-validator';

const MAX_REMEMBERED = 1_000;
const remembered = new Map<string, boolean>();

/**
 * class-validator's IsTimeZone, remembering its answers: it builds an Intl.DateTimeFormat per
 * check, which was the costliest step of validating a create. Bounded, so that random strings
 * sent to the API cannot grow it without limit.
 */
export function IsTimeZoneRemembered(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimeZone',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          let valid = remembered.get(value);
          if (valid === undefined) {
            valid = isTimeZone(value);
            if (remembered.size < MAX_REMEMBERED) remembered.set(value, valid);
          }
          return valid;
        },
        defaultMessage: () => '$property must be a valid IANA time-zone',
      },
    },
    options,
  );
}
