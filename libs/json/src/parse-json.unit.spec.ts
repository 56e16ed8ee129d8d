import { spawnSync } from 'node:child_process';
import { parseJson } from './parse-json';

describe('parseJson', () => {
  it('reads back an escaped key after a `\\` key was parsed, where JSON.parse of this Node may not', () => {
    // In a fresh process: the bug depends on what the process parsed before (V8's key cache).
    const script = `
      const { parseJson } = require(${JSON.stringify(require.resolve('./parse-json'))});
      const poisoned = '{"h":[],"\\\\\\\\":0}';
      const escaped = '{"h":1,"\\\\"":2}';
      JSON.parse(poisoned);
      const native = Object.keys(JSON.parse(escaped))[1];
      const ours = Object.keys(parseJson(escaped))[1];
      console.log(JSON.stringify({ native, ours }));`;
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(run.stderr);
    const { ours } = JSON.parse(run.stdout) as { native: string; ours: string };
    expect(ours).toBe('"');
  });

  it('answers what JSON.parse answers on ordinary documents, with or without escapes', () => {
    for (const text of [
      '{"a":1,"b":[true,null,"x"],"c":{"d":-1.5e-7}}',
      '{"quote \\" in a key":"and \\" in a value","tab\\t":"\\u00e9\\n","n":12345678901234567890}',
      '[1,2,{"":{"\\\\":"\\\\"}}]',
      '"just a string with \\"quotes\\""',
      '{"__proto__":{"polluted":true}}',
    ]) {
      expect(parseJson(text)).toEqual(JSON.parse(text));
    }
    expect(Object.getPrototypeOf(parseJson('{"__proto__":{"x":1},"k\\"":1}'))).toBe(Object.prototype);
  });

  it('refuses what is not JSON, with a SyntaxError, on both paths', () => {
    for (const text of ['', '{', '{"a":}', '{"a\\"":}', '{"a\\q":1}', 'nul']) {
      expect(() => parseJson(text)).toThrow(SyntaxError);
    }
  });

  it('passes keys and values to a reviver on both paths', () => {
    const seen: string[] = [];
    parseJson('{"a":{"b\\"":1}}', (key, value) => {
      seen.push(key);
      return value;
    });
    expect(seen).toEqual(['b"', 'a', '']);
  });
});
