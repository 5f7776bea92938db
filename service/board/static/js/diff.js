// What a change does to the plan, in rows a lead reads: milestones moved, issues that became late or on time,
// lateness gained or lost, and issues moved (owner, start, finish).

import { h } from './dom.js';
import { longDate, longDateTime, plural } from './dates.js';
import { WORDS } from './standing.js';

const word = (status) => WORDS[status] || (status || '-').replace(/_/g, ' ');

/** Issues shown in the "moved" table before the rest is counted only. */
const MOVED_ROWS = 40;

function lateness(plan) {
  const late = plan.issues.filter((issue) => issue.late);
  return { issues: late.length, days: late.reduce((sum, issue) => sum + issue.lateness_working_days, 0) };
}

function signed(value, word) {
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${plural(Math.abs(value), word)}`;
}

function milestoneName(plan, id) {
  return plan.milestones.find((milestone) => milestone.id === id)?.name || id;
}

/** Late issues and working days late before and after, and the lateness gained or removed. */
function latenessLine(before, after) {
  const was = lateness(before);
  const now = lateness(after);
  const gained = now.days - was.days;
  return h('p', { class: 'lateness' },
    `Late issues: ${was.issues} → ${now.issues}; working days late in all: ${was.days} → ${now.days} `,
    h('strong', {}, gained === 0 ? '(lateness unchanged)' : gained > 0 ? `(lateness gained: ${signed(gained, 'working day')})`
      : `(lateness removed: ${signed(gained, 'working day')})`));
}

/** The what-if diff of `after` against `before` (ScenarioDiff), with lateness totals from both plans. */
export function renderDiff(diff, before, after) {
  const parts = [latenessLine(before, after)];
  const list = (title, items, cls) => items.length
    ? [h('h3', {}, title), h('ul', { class: cls }, items.map((item) => h('li', {}, item)))] : [];
  parts.push(...list('Milestones moved', diff.milestones_moved.map((move) =>
    `${milestoneName(after, move.id)}: ${longDate(move.before)} → ${longDate(move.after)}`
    + (move.working_days === null ? '' : ` (${signed(move.working_days, 'working day')})`)), 'moved-milestones'));
  const statuses = diff.status_changes.filter((change) => change.kind !== 'issue');
  parts.push(...list('Status', statuses.map((change) => change.kind === 'plan'
    ? `Plan: ${change.before} → ${change.after}`
    : `${milestoneName(after, change.id)}: ${word(change.before)} → ${word(change.after)}`),
  'status-changes'));
  parts.push(...list('Became on time', diff.became_on_time, 'became-on-time'));
  parts.push(...list('Became late', diff.became_late, 'became-late'));
  parts.push(...list('Added', diff.issues_added, 'added'));
  parts.push(...list('Removed', diff.issues_removed, 'removed'));
  if (diff.issues_changed.length) {
    const rows = diff.issues_changed.slice(0, MOVED_ROWS).map((change) => h('tr', {},
      h('th', { scope: 'row' }, change.id),
      h('td', {}, change.owner_before === change.owner_after ? (change.owner_after || '-') : `${change.owner_before || '-'} → ${change.owner_after || '-'}`),
      h('td', {}, `${longDateTime(change.start_before)} → ${longDateTime(change.start_after)}`),
      h('td', {}, `${longDateTime(change.finish_before)} → ${longDateTime(change.finish_after)}`)));
    parts.push(h('h3', {}, `Issues moved (${diff.issues_changed.length})`),
      h('table', { class: 'changes-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Issue'), h('th', { scope: 'col' }, 'Owner'),
          h('th', { scope: 'col' }, 'Start'), h('th', { scope: 'col' }, 'Finish'))),
        h('tbody', {}, rows)),
      diff.issues_changed.length > MOVED_ROWS ? h('p', {}, `and ${diff.issues_changed.length - MOVED_ROWS} more`) : null);
  }
  if (parts.length === 1 && !diff.issues_changed.length) parts.push(h('p', {}, 'Nothing else moved.'));
  return h('div', { class: 'diff' }, parts);
}

function placement(place) {
  return place ? `${place.owner || '-'}, ${longDateTime(place.start)} to ${longDateTime(place.finish)}` : '-';
}

/**
 * The `changes` a re-plan against a baseline reports (living plans): the counts, then every issue that did not
 * stay where it was, with where it was, where it is and what pushed it. Unknown shapes are shown field by field.
 */
export function renderChanges(changes, before, after) {
  if (!changes?.counts || !Array.isArray(changes.issues)) return renderFields(changes);
  const counts = Object.entries(changes.counts).filter(([, count]) => count).map(([kind, count]) => `${count} ${kind}`);
  const moved = changes.issues.filter((change) => change.kind !== 'unchanged');
  const rows = moved.slice(0, MOVED_ROWS).map((change) => h('tr', { dataset: { kind: change.kind } },
    h('th', { scope: 'row' }, change.id),
    h('td', {}, change.kind + (change.frozen ? ' (frozen)' : '')),
    h('td', {}, placement(change.before)),
    h('td', {}, placement(change.after)),
    h('td', {}, (change.reasons || []).map((reason) => reason.message).join('; ') || '-')));
  const finishes = new Map(before.milestones.map((milestone) => [milestone.id, milestone.projected_finish]));
  const milestones = after.milestones.filter((milestone) => finishes.has(milestone.id) && finishes.get(milestone.id) !== milestone.projected_finish)
    .map((milestone) => `${milestone.name || milestone.id}: ${longDate(finishes.get(milestone.id))} → ${longDate(milestone.projected_finish)}`);
  return h('div', { class: 'diff' },
    latenessLine(before, after),
    milestones.length ? [h('h3', {}, 'Milestones moved'), h('ul', { class: 'moved-milestones' }, milestones.map((line) => h('li', {}, line)))] : null,
    h('p', {}, `Against the previous plan: ${counts.join(', ') || 'nothing'}.`),
    moved.length ? h('table', { class: 'changes-table living-changes' },
      h('thead', {}, h('tr', {}, ['Issue', 'Change', 'Before', 'Now', 'Why'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, rows)) : h('p', {}, 'Every issue kept its place.'),
    moved.length > MOVED_ROWS ? h('p', {}, `and ${moved.length - MOVED_ROWS} more`) : null);
}

/** Any other object, field by field. */
function renderFields(changes) {
  const rows = [];
  const describe = (value) => (value && typeof value === 'object'
    ? Object.entries(value).map(([key, item]) => `${key.replace(/_/g, ' ')}: ${typeof item === 'object' ? JSON.stringify(item) : item}`).join('; ')
    : String(value));
  for (const [key, value] of Object.entries(changes || {})) {
    if (Array.isArray(value)) {
      rows.push(h('h3', {}, `${key.replace(/_/g, ' ')} (${value.length})`),
        h('ul', { class: `changes-${key}` }, value.slice(0, MOVED_ROWS).map((item) => h('li', {}, describe(item)))));
    } else {
      rows.push(h('p', {}, `${key.replace(/_/g, ' ')}: ${describe(value)}`));
    }
  }
  return h('div', { class: 'diff' }, rows.length ? rows : h('p', {}, 'Nothing changed.'));
}
