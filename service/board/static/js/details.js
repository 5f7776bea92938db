// One issue's details and why it sits where it does: the chain that holds it, its owner's work before it, its
// priority and its pins; with the edits a lead makes to it (estimate, hours left, done).

import { h, fill } from './dom.js';
import { hours, longDate, longDateTime } from './dates.js';

/** The dependency that finishes last (the one that holds the issue), walked back into a chain of ids. */
function chainOf(id, issuesById, requestById) {
  const chain = [id];
  const seen = new Set(chain);
  let current = requestById.get(id);
  while (current && current.depends_on?.length) {
    const binding = current.depends_on
      .map((dependency) => issuesById.get(typeof dependency === 'string' ? dependency : dependency.issue))
      .filter((issue) => issue && issue.finish)
      .sort((a, b) => (a.finish < b.finish ? 1 : -1))[0];
    if (!binding || seen.has(binding.id)) break;
    chain.unshift(binding.id);
    seen.add(binding.id);
    current = requestById.get(binding.id);
  }
  return chain;
}

/** Sentences saying why the issue is where it is. */
export function reasonsFor(issue, plan, request) {
  const issuesById = new Map(plan.issues.map((item) => [item.id, item]));
  const requestById = new Map(request.issues.map((item) => [item.id, item]));
  const asked = requestById.get(issue.id) || {};
  const reasons = [];
  const dependencies = (asked.depends_on || []).map((dependency) => (typeof dependency === 'string' ? { issue: dependency, lag_days: 0 } : dependency));
  for (const dependency of dependencies) {
    const before = issuesById.get(dependency.issue);
    const lag = dependency.lag_days ? ` plus ${dependency.lag_days} working day(s)` : '';
    reasons.push(`Waits for ${dependency.issue}${before?.finish ? ` (finishes ${longDateTime(before.finish)})` : ` (${before?.status || 'unknown'})`}${lag}.`);
  }
  const chain = chainOf(issue.id, issuesById, requestById);
  if (chain.length > 2) reasons.push(`Its chain: ${chain.join(' → ')}.`);
  const waiting = request.issues.filter((item) => (item.depends_on || []).some((dependency) => (typeof dependency === 'string' ? dependency : dependency.issue) === issue.id));
  if (waiting.length) reasons.push(`${waiting.map((item) => item.id).join(', ')} wait${waiting.length === 1 ? 's' : ''} for it.`);
  if (issue.owner && issue.start) {
    const earlier = plan.issues.filter((item) => item.owner === issue.owner && item.finish && item.finish <= issue.start && item.id !== issue.id);
    const higher = earlier.filter((item) => item.priority < issue.priority);
    if (earlier.length) {
      const last = earlier.sort((a, b) => (a.finish < b.finish ? 1 : -1))[0];
      reasons.push(`${issue.owner} works on ${earlier.length} issue(s) before it, last ${last.id} (${last.priority}) until ${longDateTime(last.finish)}.`);
    } else {
      reasons.push(`It is the first work of ${issue.owner} in this plan.`);
    }
    if (higher.length) reasons.push(`Priority ${issue.priority}: ${higher.length} issue(s) of higher priority go first on ${issue.owner}.`);
  }
  if (asked.pinned_owner) reasons.push(`Pinned to ${asked.pinned_owner}.`);
  if (asked.pinned_start) reasons.push(`Pinned to start on ${longDate(asked.pinned_start)}.`);
  if (asked.not_before) reasons.push(`May not start before ${longDate(asked.not_before)}.`);
  if (asked.skills?.length) reasons.push(`Needs ${asked.skills.join(', ')}.`);
  if (issue.unscheduled_reason) reasons.push(issue.unscheduled_reason);
  return reasons;
}

/** Show `issueId` in the details panel with its edit form; `onEdit(edit)` records an edit. */
export function renderDetails(panel, issueId, plan, request, onEdit) {
  const issue = plan.issues.find((item) => item.id === issueId);
  if (!issue) return;
  const asked = request.issues.find((item) => item.id === issueId) || {};
  const estimate = h('input', { type: 'number', min: 0.25, max: 10000, step: 0.25, value: asked.estimate_hours ?? '', name: 'estimate', 'aria-label': `Estimate of ${issue.id} in hours` });
  const left = h('input', { type: 'number', min: 0.25, max: 10000, step: 0.25, value: asked.remaining_hours ?? '', name: 'left', 'aria-label': `Hours left on ${issue.id}` });
  const late = issue.late ? h('p', { class: 'late-note' }, h('strong', {}, 'Late: '), `${issue.lateness_working_days} working day(s) after its deadline ${longDate(issue.deadline)}`) : null;
  fill(panel,
    h('h3', {}, `${issue.id} ${issue.title}`),
    late,
    h('dl', {},
      h('dt', {}, 'Status'), h('dd', {}, issue.status),
      h('dt', {}, 'Owner'), h('dd', {}, issue.owner || '-'),
      h('dt', {}, 'Priority'), h('dd', {}, issue.priority),
      h('dt', {}, 'Milestone'), h('dd', {}, issue.milestone || '-'),
      h('dt', {}, 'Hours'), h('dd', {}, hours(issue.hours)),
      h('dt', {}, 'Start'), h('dd', {}, longDateTime(issue.start)),
      h('dt', {}, 'Finish'), h('dd', {}, longDateTime(issue.finish)),
      h('dt', {}, 'Deadline'), h('dd', {}, longDate(issue.deadline))),
    h('h4', {}, 'Why it sits here'),
    h('ul', { class: 'why' }, reasonsFor(issue, plan, request).map((reason) => h('li', {}, reason))),
    h('h4', {}, 'Change it'),
    h('form', { class: 'inline-form edit-estimate', onsubmit: (event) => {
      event.preventDefault();
      if (estimate.value) onEdit({ kind: 'estimate', id: issue.id, value: Number(estimate.value) });
    } }, h('label', {}, 'Estimate (h) ', estimate), h('button', { type: 'submit' }, 'Change estimate')),
    h('form', { class: 'inline-form edit-progress', onsubmit: (event) => {
      event.preventDefault();
      if (left.value) onEdit({ kind: 'in-progress', id: issue.id, value: Number(left.value) });
    } }, h('label', {}, 'In progress, hours left ', left), h('button', { type: 'submit' }, 'Mark in progress')),
    h('button', { type: 'button', class: 'mark-done', onclick: () => onEdit({ kind: 'done', id: issue.id }) }, `Mark ${issue.id} done`));
}
