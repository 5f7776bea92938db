// Milestone cards: standing (word, symbol and colour), due date, projected finish, work against capacity,
// and the forecast (chance on time, P85) when the plan has one. Each due date can be changed in place.

import { h, fill } from './dom.js';
import { longDate, hours } from './dates.js';
import { SYMBOLS, standingClass, standingOf } from './standing.js';

function percent(value) {
  return `${Math.round(value * 100)}%`;
}

function loadBar(milestone) {
  if (milestone.capacity_hours_before_due === null || milestone.capacity_hours_before_due === undefined) {
    return h('p', {}, `Work: ${hours(milestone.work_hours)} (no due date, no capacity to compare)`);
  }
  const capacity = milestone.capacity_hours_before_due;
  if (capacity === 0) {
    return h('p', {}, `Work / capacity: ${hours(milestone.work_hours)} / 0 h (no working time left before the due date)`);
  }
  const ratio = milestone.load_ratio ?? 0;
  const label = `Work ${hours(milestone.work_hours)} against ${hours(capacity)} of capacity before due (${percent(ratio)})`;
  return h('div', { class: 'load-line' },
    h('span', {}, `Work / capacity: ${hours(milestone.work_hours)} / ${hours(capacity)} (${percent(ratio)})`),
    h('meter', { min: 0, max: 1.5, low: 0.8, high: 1, optimum: 0.5, value: Math.min(ratio, 1.5), 'aria-label': label }));
}

function forecastLines(milestone, plan) {
  const lines = [];
  if (typeof milestone.p_on_time === 'number') lines.push(`Chance on time: ${percent(milestone.p_on_time)}`);
  if (milestone.p50) lines.push(`50% sure by ${longDate(milestone.p50)}`);
  if (milestone.p85) lines.push(`85% sure by ${longDate(milestone.p85)}`);
  if (milestone.p95) lines.push(`95% sure by ${longDate(milestone.p95)}`);
  const confidence = plan.forecast?.confidence;
  if (milestone.forecast_extension_working_days > 0 && confidence) {
    lines.push(`to be ${percent(confidence)} sure, extend by ${milestone.forecast_extension_working_days} working day(s)`);
  }
  return lines.length ? h('p', { class: 'forecast' }, `Forecast: ${lines.join(' · ')}`) : null;
}

/** Render every milestone of `plan`; `onDueChange(id, newDate)` records a due-date edit. */
export function renderMilestones(container, plan, request, onDueChange) {
  const cards = plan.milestones.map((milestone) => {
    const { word, reasons } = standingOf(milestone, plan);
    const name = milestone.name || milestone.id;
    const dueInput = h('input', { type: 'date', value: milestone.due || '', 'aria-label': `New due date of ${name}` });
    return h('article', { class: `card ${standingClass(word)}`, dataset: { milestone: milestone.id }, 'aria-label': name },
      h('h3', {}, name),
      h('p', { class: 'standing' }, h('span', { class: 'symbol', 'aria-hidden': 'true' }, SYMBOLS[word] || ''), ' ',
        h('strong', { class: 'standing-word' }, word), reasons.length ? `: ${reasons.join('; ')}` : ''),
      h('dl', {},
        h('dt', {}, 'Due'), h('dd', { class: 'due' }, longDate(milestone.due)),
        h('dt', {}, 'Projected finish'), h('dd', { class: 'projected-finish' }, longDate(milestone.projected_finish)),
        h('dt', {}, 'Issues'), h('dd', {}, `${milestone.issues}${milestone.unplanned_issues ? ` (${milestone.unplanned_issues} without estimate)` : ''}`)),
      loadBar(milestone),
      forecastLines(milestone, plan),
      h('form', {
        class: 'inline-form',
        onsubmit: (event) => { event.preventDefault(); if (dueInput.value) onDueChange(milestone.id, dueInput.value); },
      }, h('label', {}, 'Due date ', dueInput), h('button', { type: 'submit' }, 'Change due date')));
  });
  fill(container, cards.length ? cards : h('p', {}, 'This backlog has no milestones.'));
}
