import { newEventId } from './event-id';

describe('newEventId', () => {
  it('is a version 7, variant 10 UUID', () => {
    for (let i = 0; i < 1000; i++) {
      expect(newEventId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('carries the time in milliseconds in its first 48 bits', () => {
    const now = Date.UTC(2026, 11, 1, 17, 30, 0, 123);
    const id = newEventId(now);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('sorts by time: an id of a later millisecond sorts after any earlier one', () => {
    const now = Date.now();
    const earlier = Array.from({ length: 100 }, () => newEventId(now));
    const later = Array.from({ length: 100 }, () => newEventId(now + 1));
    expect(later.every((id) => earlier.every((before) => id > before))).toBe(true);
  });

  it('is unique', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 100_000 }, () => newEventId(now)));
    expect(ids.size).toBe(100_000);
  });
});
