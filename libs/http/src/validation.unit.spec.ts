import { ValidationError } from 'class-validator';
import { toFieldErrors } from './validation';

describe('toFieldErrors', () => {
  it('flattens nested errors into dotted field paths', () => {
    const child = Object.assign(new ValidationError(), {
      property: 'port',
      constraints: { max: 'port must not be greater than 65535' },
    });
    const parent = Object.assign(new ValidationError(), { property: 'config', children: [child] });
    const unknown = Object.assign(new ValidationError(), {
      property: 'colour',
      constraints: { whitelistValidation: 'property colour should not exist' },
    });
    expect(toFieldErrors([parent, unknown])).toEqual([
      { field: 'config.port', message: 'port must not be greater than 65535' },
      { field: 'colour', message: 'property colour should not exist' },
    ]);
  });
});
