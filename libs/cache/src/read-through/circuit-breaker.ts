export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting one probe through. */
  cooldownMs: number;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /** Told on every state change (metrics, logs). */
  onStateChange?: (state: CircuitState) => void;
}

/** Permission to make one call; hand it back with `succeeded` or `failed`. */
export interface Permit {
  readonly probe: boolean;
}

/**
 * closed → (failureThreshold consecutive failures) → open → (cooldownMs) → half-open: exactly one
 * probe call goes through; its success closes the circuit, its failure opens it for another cooldown.
 * Results of calls made before the circuit opened are ignored once it is open, so a burst of slow
 * failures or late successes cannot flap it.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (options.failureThreshold < 1) throw new Error('failureThreshold must be at least 1');
    if (options.cooldownMs < 0) throw new Error('cooldownMs must not be negative');
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.current;
  }

  /** A permit when a call may be made now, otherwise undefined (skip the dependency). */
  tryAcquire(): Permit | undefined {
    if (this.current === 'closed') return { probe: false };
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.options.cooldownMs) return undefined;
      this.transition('half-open');
    }
    if (this.probing) return undefined;
    this.probing = true;
    return { probe: true };
  }

  succeeded(permit: Permit): void {
    if (permit.probe) {
      this.probing = false;
      this.failures = 0;
      this.transition('closed');
    } else if (this.current === 'closed') {
      this.failures = 0;
    }
  }

  failed(permit: Permit): void {
    if (permit.probe) {
      this.probing = false;
      this.open();
    } else if (this.current === 'closed' && ++this.failures >= this.options.failureThreshold) {
      this.open();
    }
  }

  private open(): void {
    this.openedAt = this.now();
    this.failures = 0;
    this.transition('open');
  }

  private transition(state: CircuitState): void {
    if (this.current === state) return;
    this.current = state;
    this.options.onStateChange?.(state);
  }
}
