// Jest's global setup runs outside the test runtime, where moduleNameMapper does not apply:
// resolve the @analytics/* aliases from tsconfig.json here (TypeScript 6 has no baseUrl).
import { join } from 'node:path';
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../../tsconfig.json';

register({ baseUrl: join(__dirname, '..', '..'), paths: compilerOptions.paths });
