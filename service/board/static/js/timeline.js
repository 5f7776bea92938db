// The plan as a timeline per owner, week by week: work pieces, milestone due lines, late work marked in colour,
// hatching and text, and the plan start ("today"). Rows are virtualised: only the owners in view (and a few
// around them) are in the page, so a plan of thousands of issues scrolls without freezing it.
// Keyboard: Tab reaches the pieces in view; arrow keys move between pieces and owners (scrolling as needed).

import { h, fill } from './dom.js';
import { dayNumber, hoursOf, isoOf, longDate, longDateTime, weekdayOf } from './dates.js';

/** Width of a day: wide enough to read a 2 h piece's id on short plans, narrower on long ones. */
const DAY_WIDTH_SHORT = 64;
const DAY_WIDTH_LONG = 32;
const SHORT_PLAN_DAYS = 70;
/** Due dates this many days past the last planned work still widen the timeline; later ones are listed. */
const DUE_REACH_DAYS = 14;
export const ROW_HEIGHT = 40;
const LABEL_WIDTH = 190;
const HEADER_HEIGHT = 78;
/** Rows rendered beyond the visible ones, above and below. */
const OVERSCAN = 6;
const MIN_PIECE_WIDTH = 4;

/** Where an owner's working day starts, in hours (moved earlier when the hours would run past midnight). */
function dayStart(calendar, hoursPerDay) {
  return Math.max(0, Math.min(hoursOf(calendar?.workday_start || '09:00'), 24 - hoursPerDay));
}

/** Each owner's pieces of work: consecutive slots of one issue in that owner's sequence of slots. */
export function piecesByOwner(plan, request) {
  const owners = new Map(plan.owners.map((owner) => [owner.id, { owner, slots: [] }]));
  for (const issue of plan.issues) {
    if (!issue.owner || !owners.has(issue.owner)) continue;
    for (const slot of issue.slots) owners.get(issue.owner).slots.push({ issue, slot, day: dayNumber(slot.date), at: hoursOf(slot.start) });
  }
  const result = [];
  for (const { owner, slots } of owners.values()) {
    const start = dayStart(request.calendar, owner.hours_per_day);
    const fraction = (at) => Math.min(1, Math.max(0, (at - start) / owner.hours_per_day));
    slots.sort((a, b) => a.day - b.day || a.at - b.at);
    const pieces = [];
    for (const { issue, slot, day, at } of slots) {
      const last = pieces[pieces.length - 1];
      const end = { day, frac: fraction(at + slot.hours) };
      if (last && last.issue === issue) {
        last.end = end;
      } else {
        pieces.push({ issue, start: { day, frac: fraction(at) }, end });
      }
    }
    result.push({ owner, pieces });
  }
  return result;
}

function range(plan, rows) {
  const first = dayNumber(plan.start_date);
  let work = first + 13;
  for (const row of rows) for (const piece of row.pieces) work = Math.max(work, piece.end.day);
  let last = work;
  for (const milestone of plan.milestones) {
    if (milestone.due && dayNumber(milestone.due) <= work + DUE_REACH_DAYS) last = Math.max(last, dayNumber(milestone.due));
  }
  last = Math.max(first, Math.min(last, dayNumber(plan.horizon_end)));
  const monday = first - ((new Date(first * 86400000).getUTCDay() + 6) % 7);
  const sunday = last + (7 - ((new Date(last * 86400000).getUTCDay() + 6) % 7) - 1);
  return { first: monday, last: sunday, start: first };
}

function pieceLabel(piece, request) {
  const issue = piece.issue;
  const late = issue.late ? `, late by ${issue.lateness_working_days} working day(s) (deadline ${longDate(issue.deadline)})` : '';
  return `${issue.id} ${issue.title}: ${issue.owner}, ${longDateTime(issue.start)} to ${longDateTime(issue.finish)}, ${issue.priority}`
    + `${issue.milestone ? `, milestone ${issue.milestone}` : ''}${late}`;
}

/** Render the timeline; `onFocusIssue(id)` shows an issue's details. Returns { focusIssue(id) }. */
export function renderTimeline(container, plan, request, onFocusIssue) {
  const rows = piecesByOwner(plan, request);
  const span = range(plan, rows);
  const days = span.last - span.first + 1;
  const DAY_WIDTH = days <= SHORT_PLAN_DAYS ? DAY_WIDTH_SHORT : DAY_WIDTH_LONG;
  const width = LABEL_WIDTH + days * DAY_WIDTH;
  const x = (day, frac = 0) => LABEL_WIDTH + (day - span.first + frac) * DAY_WIDTH;

  const weeks = [];
  for (let day = span.first; day <= span.last; day += 7) {
    weeks.push(h('div', { class: 'tl-week' }, `Week of ${isoOf(day).slice(5)}`));
  }
  const weekRow = h('div', { class: 'tl-weeks' }, h('div', { class: 'tl-corner' }, 'Owner'), weeks);
  weeks.forEach((node) => { node.style.width = `${7 * DAY_WIDTH}px`; });
  const dayCells = [];
  for (let day = span.first; day <= span.last; day += 1) {
    const weekday = weekdayOf(day);
    const cell = h('div', { class: `tl-day${weekday === 'sat' || weekday === 'sun' ? ' weekend' : ''}`, title: longDate(isoOf(day)) },
      h('span', { class: 'wd' }, weekday.slice(0, 2)), h('span', {}, isoOf(day).slice(8)));
    cell.style.width = `${DAY_WIDTH}px`;
    dayCells.push(cell);
  }
  const dayRow = h('div', { class: 'tl-days' }, h('div', { class: 'tl-corner' }, ''), dayCells);
  const flags = h('div', { class: 'tl-flags' }, h('div', { class: 'tl-corner' }, 'Due'));
  const header = h('div', { class: 'tl-header' }, weekRow, dayRow, flags);

  const canvas = h('div', { class: 'tl-canvas' }, header);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${HEADER_HEIGHT + rows.length * ROW_HEIGHT}px`;
  canvas.style.setProperty('--day', `${DAY_WIDTH}px`);
  canvas.style.setProperty('--label', `${LABEL_WIDTH}px`);
  canvas.style.setProperty('--offset', `${((span.first % 7) + 7) % 7}`);

  const markers = [];
  const mark = (kind, left, text, title) => {
    const line = h('div', { class: `tl-line ${kind}-line`, title });
    line.style.left = `${left}px`;
    line.style.top = `${HEADER_HEIGHT}px`;
    const flag = h('span', { class: `tl-flag ${kind}-flag`, title }, text);
    flag.style.left = `${left}px`;
    flags.append(flag);
    markers.push(line);
  };
  mark('today', x(span.start), 'today', `Today: the plan starts ${longDate(plan.start_date)}`);
  const beyond = [];
  for (const milestone of plan.milestones) {
    if (!milestone.due) continue;
    const day = dayNumber(milestone.due);
    const title = `${milestone.name || milestone.id} due ${longDate(milestone.due)}`;
    if (day < span.first || day > span.last) {
      if (day > span.last) beyond.push(title);
      continue;
    }
    mark('due', x(day + 1) - 1, `◆ ${milestone.id}`, title);
  }
  canvas.append(...markers);
  const body = h('div', { class: 'tl-body' });
  canvas.append(body);
  fill(container, canvas);
  const later = container.parentElement?.querySelector('.tl-later');
  if (later) later.textContent = beyond.length ? `Due after the last planned work: ${beyond.join('; ')}.` : '';

  const rendered = new Map();
  function rowNode(index) {
    const { owner, pieces } = rows[index];
    const label = h('div', { class: 'tl-label', title: owner.name || owner.id },
      h('strong', {}, owner.id), h('span', {}, ` ${Math.round(owner.utilisation * 100)}% used`));
    const buttons = pieces.map((piece, position) => {
      const late = piece.issue.late;
      const button = h('button', {
        type: 'button',
        class: `piece${late ? ' late' : ''} p-${piece.issue.priority}`,
        dataset: { issue: piece.issue.id, row: index, position },
        'aria-label': pieceLabel(piece, request),
      }, piece.issue.id, late ? h('span', { class: 'late-text' }, ' late') : null);
      const left = x(piece.start.day, piece.start.frac);
      button.style.left = `${left}px`;
      button.style.width = `${Math.max(MIN_PIECE_WIDTH, x(piece.end.day, piece.end.frac) - left)}px`;
      return button;
    });
    const row = h('div', { class: 'tl-row', role: 'group', 'aria-label': `${owner.name || owner.id}: ${pieces.length} piece(s) of work` }, label, buttons);
    row.style.top = `${HEADER_HEIGHT + index * ROW_HEIGHT}px`;
    return row;
  }
  function update() {
    const top = Math.max(0, container.scrollTop - HEADER_HEIGHT);
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length - 1, Math.ceil((top + container.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    for (const [index, node] of rendered) {
      if ((index < first || index > last) && !node.contains(document.activeElement)) {
        node.remove();
        rendered.delete(index);
      }
    }
    for (let index = first; index <= last; index += 1) {
      if (!rendered.has(index)) {
        const node = rowNode(index);
        rendered.set(index, node);
        body.append(node);
      }
    }
  }
  let pending = false;
  container.onscroll = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; update(); });
  };
  const show = (event) => {
    const piece = event.target.closest('.piece');
    if (piece) onFocusIssue(piece.dataset.issue);
  };
  body.addEventListener('focusin', show);
  body.addEventListener('mouseover', show);
  function focusPiece(index, position, step = 1) {
    if (index < 0 || index >= rows.length) return;
    const wanted = HEADER_HEIGHT + index * ROW_HEIGHT;
    if (wanted < container.scrollTop + HEADER_HEIGHT || wanted + ROW_HEIGHT > container.scrollTop + container.clientHeight) {
      container.scrollTop = Math.max(0, wanted - container.clientHeight / 2);
    }
    update();
    const node = rendered.get(index);
    const pieces = node ? node.querySelectorAll('.piece') : [];
    if (pieces.length) {
      const target = pieces[Math.min(Math.max(position, 0), pieces.length - 1)];
      target.focus({ preventScroll: false });
    } else if (node) {
      focusPiece(index + step, position, step);  // an owner without work: on to the next one that way
    }
  }
  body.addEventListener('keydown', (event) => {
    const piece = event.target.closest('.piece');
    if (!piece) return;
    const index = Number(piece.dataset.row);
    const position = Number(piece.dataset.position);
    const moves = {
      ArrowRight: [index, position + 1, 1], ArrowLeft: [index, position - 1, 1], ArrowDown: [index + 1, 0, 1], ArrowUp: [index - 1, 0, -1],
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const [row, at, step] = moves[event.key];
    if (row === index && (at < 0 || at >= rows[index].pieces.length)) return;
    focusPiece(row, at, step);
  });
  update();
  return {
    rows: rows.length,
    /** Focus the issue's first piece (scrolling to it); false when it has none on the timeline. */
    focusIssue(id) {
      const index = rows.findIndex((row) => row.pieces.some((piece) => piece.issue.id === id));
      if (index < 0) return false;
      focusPiece(index, rows[index].pieces.findIndex((piece) => piece.issue.id === id));
      return true;
    },
  };
}
