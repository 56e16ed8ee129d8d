import { Injectable } from '@nestjs/common';

/**
 * The current time, injected so that rules depending on it (a proposal expires) can be tested
 * with a fixed or moving clock. Deciders never call `new Date()`: they take `now` as input.
 */
export abstract class Clock {
  abstract now(): Date;
}

/** The machine's clock. */
@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
