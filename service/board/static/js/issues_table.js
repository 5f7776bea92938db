// Every issue of the plan in a paged table (a page at a time, so a plan of thousands stays quick), each with a
// button to show its details.

import { h, fill } from './dom.js';
import { hours, longDate, longDateTime } from './dates.js';

export const PAGE_SIZE = 50;

function order(a, b) {
  return (a.start || '9999') < (b.start || '9999') ? -1 : (a.start || '9999') > (b.start || '9999') ? 1 : a.id.localeCompare(b.id);
}

/** Render page `page` of the plan's issues; `onShow(id)` opens one. */
export function renderIssues(container, plan, onShow, page = 0) {
  const issues = [...plan.issues].sort(order);
  const pages = Math.max(1, Math.ceil(issues.length / PAGE_SIZE));
  const current = Math.min(Math.max(page, 0), pages - 1);
  const rows = issues.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE).map((issue) => h('tr', { class: issue.late ? 'late' : '' },
    h('th', { scope: 'row' }, issue.id),
    h('td', {}, issue.title),
    h('td', {}, issue.priority),
    h('td', {}, issue.milestone || '-'),
    h('td', {}, issue.owner || '-'),
    h('td', { class: 'number' }, hours(issue.hours)),
    h('td', {}, longDateTime(issue.start)),
    h('td', {}, longDateTime(issue.finish)),
    h('td', {}, longDate(issue.deadline)),
    h('td', {}, issue.late ? h('strong', {}, `late ${issue.lateness_working_days} wd`) : issue.status),
    h('td', {}, h('button', { type: 'button', onclick: () => onShow(issue.id), 'aria-label': `Details of ${issue.id}` }, 'Details'))));
  const nav = h('nav', { class: 'pager', 'aria-label': 'Issue pages' },
    h('button', { type: 'button', disabled: current === 0, onclick: () => renderIssues(container, plan, onShow, current - 1) }, 'Previous page'),
    h('span', { 'aria-live': 'polite' }, ` Page ${current + 1} of ${pages} (${issues.length} issues) `),
    h('button', { type: 'button', disabled: current >= pages - 1, onclick: () => renderIssues(container, plan, onShow, current + 1) }, 'Next page'));
  const heads = ['Issue', 'Title', 'Priority', 'Milestone', 'Owner', 'Hours', 'Start', 'Finish', 'Deadline', 'Status', ''];
  fill(container, nav, h('table', { class: 'issues-table' },
    h('thead', {}, h('tr', {}, heads.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, rows)));
}
