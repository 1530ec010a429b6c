import { describe, expect, it } from 'vitest';
import { dayOf, dayStart, inSchedule, nextBoundary } from './schedule.ts';

/** 2026-11-23 is a Monday; 09:30 China time is 01:30 UTC. */
const cst = (day: string, hhmm: string) => Date.parse(`${day}T${hhmm}:00+08:00`);
const weekdays = [{ weekdays: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }];

describe('live-code days and schedules (China time)', () => {
  it('counts days from midnight in China, not UTC', () => {
    expect(dayOf(cst('2026-11-23', '00:30'))).toBe('2026-11-23');
    expect(dayOf(cst('2026-11-22', '23:59'))).toBe('2026-11-22');
    expect(dayStart('2026-11-23')).toBe(cst('2026-11-23', '00:00'));
  });

  it('is in a window from its start until just before its end, on its weekdays', () => {
    expect(inSchedule(weekdays, cst('2026-11-23', '09:00'))).toBe(true);
    expect(inSchedule(weekdays, cst('2026-11-23', '17:59'))).toBe(true);
    expect(inSchedule(weekdays, cst('2026-11-23', '18:00'))).toBe(false);
    expect(inSchedule(weekdays, cst('2026-11-23', '08:59'))).toBe(false);
    expect(inSchedule(weekdays, cst('2026-11-29', '10:00'))).toBe(false); // Sunday
    expect(inSchedule([], cst('2026-11-29', '03:00'))).toBe(true);
    expect(inSchedule([{ weekdays: [7], from: '20:00', to: '24:00' }], cst('2026-11-29', '23:59'))).toBe(
      true,
    );
  });

  it('finds the next moment availability can change: a window edge or midnight', () => {
    expect(nextBoundary([weekdays], cst('2026-11-23', '08:00'))).toBe(cst('2026-11-23', '09:00'));
    expect(nextBoundary([weekdays], cst('2026-11-23', '09:00'))).toBe(cst('2026-11-23', '18:00'));
    expect(nextBoundary([weekdays], cst('2026-11-23', '19:00'))).toBe(cst('2026-11-24', '00:00'));
    // Friday evening: midnight comes before Monday's window.
    expect(nextBoundary([weekdays], cst('2026-11-27', '19:00'))).toBe(cst('2026-11-28', '00:00'));
    expect(nextBoundary([[]], cst('2026-11-23', '12:00'))).toBe(cst('2026-11-24', '00:00'));
    // The earliest edge of several members wins.
    const late = [{ weekdays: [1], from: '12:00', to: '13:00' }];
    expect(nextBoundary([weekdays, late], cst('2026-11-23', '10:00'))).toBe(cst('2026-11-23', '12:00'));
  });
});
