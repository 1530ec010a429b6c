import type { LiveCodeWindow } from '@pond/contracts';

/**
 * Live-code days and schedules are China time (UTC+8, no daylight saving), the day WeCom
 * itself counts in (SPEC §3.12): caps reset and statistics roll over at midnight there.
 */
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** `YYYY-MM-DD` of an instant, China time. */
export function dayOf(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a China-time day starts. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - OFFSET_MS;
}

/** ISO weekday (1 Monday … 7 Sunday) and minute of the day, China time. */
function local(ms: number): { weekday: number; minute: number; midnight: number } {
  const shifted = ms + OFFSET_MS;
  const midnight = Math.floor(shifted / DAY_MS) * DAY_MS - OFFSET_MS;
  const weekday = new Date(shifted).getUTCDay() || 7;
  return { weekday, minute: Math.floor((ms - midnight) / MINUTE_MS), midnight };
}

const minutes = (hhmm: string): number => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** Whether an instant falls in one of the windows; an empty schedule means always. */
export function inSchedule(schedule: readonly LiveCodeWindow[], ms: number): boolean {
  if (schedule.length === 0) return true;
  const { weekday, minute } = local(ms);
  return schedule.some(
    (w) => w.weekdays.includes(weekday) && minute >= minutes(w.from) && minute < minutes(w.to),
  );
}

/**
 * The next instant after `ms` at which availability can change for these schedules: a window
 * opening or closing, or midnight (caps reset). Looks a week ahead at most.
 */
export function nextBoundary(schedules: readonly (readonly LiveCodeWindow[])[], ms: number): number {
  const { midnight } = local(ms);
  let next = midnight + DAY_MS;
  for (let d = 0; d <= 7; d++) {
    const dayMidnight = midnight + d * DAY_MS;
    const weekday = local(dayMidnight + 1).weekday;
    for (const schedule of schedules) {
      for (const w of schedule) {
        if (!w.weekdays.includes(weekday)) continue;
        for (const edge of [minutes(w.from), minutes(w.to)]) {
          const at = dayMidnight + edge * MINUTE_MS;
          if (at > ms && at < next) next = at;
        }
      }
    }
  }
  return next;
}
