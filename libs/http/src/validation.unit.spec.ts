import { plainToInstance, Type } from 'class-transformer';
import { IsInt, Min, validate, ValidateNested, ValidationError } from 'class-validator';
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

describe('toFieldErrors on arrays of nested DTOs', () => {
  class Line {
    @IsInt()
    @Min(1)
    quantity!: number;
  }
  class Order {
    @ValidateNested({ each: true })
    @Type(() => Line)
    lines!: Line[];
  }

  it('names the element by its index: lines.1.quantity', async () => {
    const order = plainToInstance(Order, { lines: [{ quantity: 2 }, { quantity: 0 }] });
    expect(toFieldErrors(await validate(order))).toEqual([
      { field: 'lines.1.quantity', message: 'quantity must not be less than 1' },
    ]);
  });
});
