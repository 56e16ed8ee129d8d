import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { InvalidConfigurationError, readEnvironment } from './define-config';

class ExampleEnv {
  @IsString()
  EXAMPLE_URL = 'redis://127.0.0.1:6379';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  EXAMPLE_PORT = 3001;
}

describe('readEnvironment', () => {
  it('uses the declared defaults when variables are absent or empty', () => {
    expect(readEnvironment('example', ExampleEnv, { EXAMPLE_PORT: '' })).toEqual({
      EXAMPLE_URL: 'redis://127.0.0.1:6379',
      EXAMPLE_PORT: 3001,
    });
  });

  it('converts numeric strings to numbers', () => {
    expect(readEnvironment('example', ExampleEnv, { EXAMPLE_PORT: '4000' }).EXAMPLE_PORT).toBe(4000);
  });

  it('names the namespace, the variable and the rule when a value is invalid', () => {
    const read = () => readEnvironment('example', ExampleEnv, { EXAMPLE_PORT: '70000' });
    expect(read).toThrow(InvalidConfigurationError);
    expect(read).toThrow(/"example"[\s\S]*EXAMPLE_PORT: EXAMPLE_PORT must not be greater than 65535/);
  });

  it('rejects a value that is not a number at all', () => {
    expect(() => readEnvironment('example', ExampleEnv, { EXAMPLE_PORT: 'abc' })).toThrow(/EXAMPLE_PORT/);
  });
});
