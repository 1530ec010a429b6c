import type { Clock } from '@pond/core';

export interface SimulatedClock extends Clock {
  /** Moves time forward by `ms`. */
  advance(ms: number): void;
  set(epochMs: number): void;
}

/** A clock that moves only when told to, for engines with timers. */
export function simulatedClock(start = Date.UTC(2026, 0, 5, 1, 0, 0)): SimulatedClock {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    set: (t) => {
      now = t;
    },
  };
}
