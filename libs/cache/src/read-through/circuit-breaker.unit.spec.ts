import { CircuitBreaker, CircuitState } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now: number;
  let changes: CircuitState[];
  let breaker: CircuitBreaker;

  beforeEach(() => {
    now = 1_000;
    changes = [];
    breaker = new CircuitBreaker({
      failureThreshold: 3,
      cooldownMs: 500,
      now: () => now,
      onStateChange: (state) => changes.push(state),
    });
  });

  function failTimes(count: number) {
    for (let i = 0; i < count; i++) breaker.failed(breaker.tryAcquire()!);
  }

  it('stays closed below the threshold, and a success resets the count', () => {
    failTimes(2);
    breaker.succeeded(breaker.tryAcquire()!);
    failTimes(2);
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toEqual({ probe: false });
    expect(changes).toEqual([]);
  });

  it('opens after threshold consecutive failures and refuses calls during the cool-down', () => {
    failTimes(3);
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
    now += 499;
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(changes).toEqual(['open']);
  });

  it('lets exactly one probe through after the cool-down; its success closes the circuit', () => {
    failTimes(3);
    now += 500;
    const probe = breaker.tryAcquire();
    expect(probe).toEqual({ probe: true });
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBeUndefined();
    breaker.succeeded(probe!);
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toEqual({ probe: false });
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens for a full cool-down when the probe fails', () => {
    failTimes(3);
    now += 600;
    breaker.failed(breaker.tryAcquire()!);
    expect(breaker.state).toBe('open');
    now += 499;
    expect(breaker.tryAcquire()).toBeUndefined();
    now += 1;
    expect(breaker.tryAcquire()).toEqual({ probe: true });
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open']);
  });

  it('ignores results of calls made before the circuit opened', () => {
    const early = [breaker.tryAcquire()!, breaker.tryAcquire()!, breaker.tryAcquire()!, breaker.tryAcquire()!];
    early.slice(0, 3).forEach((permit) => breaker.failed(permit));
    expect(breaker.state).toBe('open');
    breaker.succeeded(early[3]);
    expect(breaker.state).toBe('open');
    breaker.failed(early[3]);
    now += 500;
    expect(breaker.tryAcquire()).toEqual({ probe: true });
  });

  it('a late success of an old call while half-open neither closes it nor frees the probe slot', () => {
    const old = breaker.tryAcquire()!;
    failTimes(3);
    now += 500;
    const probe = breaker.tryAcquire()!;
    breaker.succeeded(old);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBeUndefined();
    breaker.failed(probe);
    expect(breaker.state).toBe('open');
  });

  it('rejects a threshold below one', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, cooldownMs: 1 })).toThrow(/failureThreshold/);
  });
});
