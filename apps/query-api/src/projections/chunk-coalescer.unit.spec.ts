import { ChunkCoalescer } from './chunk-coalescer';

/** An `apply` that records each call's items and answers when told to. */
function recordingApply() {
  const calls: { items: string[]; finish(error?: Error): void }[] = [];
  const apply = (items: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ items, finish: (error) => (error ? reject(error) : resolve(items.map((item) => `done ${item}`))) });
    });
  return { calls, apply };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('ChunkCoalescer', () => {
  it('applies the chunks handed in during one turn in one call, and answers each its own results', async () => {
    const { calls, apply } = recordingApply();
    const coalescer = new ChunkCoalescer(apply, { maxItems: 100, maxConcurrent: 1 });
    const first = coalescer.submit(['a1', 'a2']);
    const second = coalescer.submit(['b1']);
    const third = coalescer.submit(['c1', 'c2', 'c3']);
    await turn();
    expect(calls.map((call) => call.items)).toEqual([['a1', 'a2', 'b1', 'c1', 'c2', 'c3']]);
    calls[0].finish();
    expect(await first).toEqual(['done a1', 'done a2']);
    expect(await second).toEqual(['done b1']);
    expect(await third).toEqual(['done c1', 'done c2', 'done c3']);
  });

  it('queues what arrives during a call for the next one, as soon as the first has finished', async () => {
    const { calls, apply } = recordingApply();
    const coalescer = new ChunkCoalescer(apply, { maxItems: 100, maxConcurrent: 1 });
    const first = coalescer.submit(['a1']);
    await turn();
    const second = coalescer.submit(['b1']);
    const third = coalescer.submit(['c1']);
    await turn();
    expect(calls).toHaveLength(1);
    calls[0].finish();
    await first;
    await turn();
    expect(calls.map((call) => call.items)).toEqual([['a1'], ['b1', 'c1']]);
    calls[1].finish();
    expect(await Promise.all([second, third])).toEqual([['done b1'], ['done c1']]);
  });

  it('caps a call at maxItems whole chunks and runs up to maxConcurrent calls at once', async () => {
    const { calls, apply } = recordingApply();
    const coalescer = new ChunkCoalescer(apply, { maxItems: 3, maxConcurrent: 2 });
    const submissions = [['a1', 'a2'], ['b1'], ['c1', 'c2'], ['d1', 'd2', 'd3', 'd4'], ['e1']].map((chunk) =>
      coalescer.submit(chunk),
    );
    await turn();
    expect(calls.map((call) => call.items)).toEqual([
      ['a1', 'a2', 'b1'],
      ['c1', 'c2'],
    ]);
    calls[0].finish();
    await turn();
    // A chunk above the cap goes alone, unsplit.
    expect(calls.map((call) => call.items)[2]).toEqual(['d1', 'd2', 'd3', 'd4']);
    calls[1].finish();
    await turn();
    expect(calls.map((call) => call.items)[3]).toEqual(['e1']);
    calls[2].finish();
    calls[3].finish();
    expect((await Promise.all(submissions)).flat()).toHaveLength(10);
  });

  it('rejects every submitter of a failed call, and goes on with the next', async () => {
    const { calls, apply } = recordingApply();
    const coalescer = new ChunkCoalescer(apply, { maxItems: 100, maxConcurrent: 1 });
    const first = coalescer.submit(['a1']);
    const second = coalescer.submit(['b1']);
    await turn();
    calls[0].finish(new Error('database gone'));
    await expect(first).rejects.toThrow('database gone');
    await expect(second).rejects.toThrow('database gone');
    const third = coalescer.submit(['c1']);
    await turn();
    calls[1].finish();
    expect(await third).toEqual(['done c1']);
  });
});
