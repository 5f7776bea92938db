// Dates as the API writes them: 'YYYY-MM-DD' days and 'YYYY-MM-DDTHH:MM:SS' wall-clock times, read in UTC so
// the browser's own time zone never shifts a day.

const DAY_MS = 86400000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Days since 1970-01-01 of an ISO date (or the date part of a date-time). */
export function dayNumber(iso) {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** The ISO date of a day number. */
export function isoOf(day) {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 'mon'..'sun' of a day number. */
export function weekdayOf(day) {
  return WEEKDAYS[new Date(day * DAY_MS).getUTCDay()];
}

/** 'Tue 2025-12-02'. */
export function longDate(iso) {
  if (!iso) return '-';
  return `${SHORT[new Date(dayNumber(iso) * DAY_MS).getUTCDay()]} ${iso.slice(0, 10)}`;
}

/** 'Tue 2025-12-02 14:00'. */
export function longDateTime(iso) {
  if (!iso) return '-';
  return `${longDate(iso)} ${iso.slice(11, 16)}`;
}

/** Hours after midnight of a 'HH:MM[:SS]' time or the time part of a date-time. */
export function hoursOf(time) {
  const part = time.length > 8 ? time.slice(11) : time;
  const [h, m] = part.split(':').map(Number);
  return h + m / 60;
}

export function plural(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Hours as the reports write them: '6 h', '5.5 h'. */
export function hours(value) {
  return `${Math.round(value * 100) / 100} h`;
}
