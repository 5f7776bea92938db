// Recommendations with a "try it" action per alternative: each becomes a JSON Patch on the request, planned as
// a what-if against the current plan and shown beside it before it is applied.

import { h, fill } from './dom.js';
import { longDate, hours } from './dates.js';
import { pointerOf } from './patch.js';

function targetPointer(request, target) {
  return target.kind === 'milestone'
    ? `${pointerOf(request, 'milestones', target.id)}/due`
    : `${pointerOf(request, 'issues', target.id)}/deadline`;
}

function freeId(request, base) {
  const taken = new Set(request.owners.map((owner) => owner.id));
  let n = 1;
  while (taken.has(`${base}-${n}`)) n += 1;
  return `${base}-${n}`;
}

/** Every alternative of a target that can be tried: { label, name, patch }. */
export function alternatives(target, request) {
  const found = [];
  const title = target.name || target.id;
  if (target.extension) {
    found.push({
      kind: 'extension',
      label: `Try: extend ${title} to ${longDate(target.extension.new_date)}`,
      name: `extend-${target.id}`.slice(0, 64),
      patch: [{ op: 'add', path: targetPointer(request, target), value: target.extension.new_date }],
    });
  }
  if (target.scope_cut && target.kind === 'milestone') {
    const ids = target.scope_cut.deferred.map((issue) => issue.id);
    found.push({
      kind: 'scope-cut',
      label: `Try: defer ${ids.join(', ')} (${hours(target.scope_cut.hours_deferred)})`,
      name: `defer-from-${target.id}`.slice(0, 64),
      patch: ids.map((id) => ({ op: 'add', path: `${pointerOf(request, 'issues', id)}/milestone`, value: null })),
    });
  }
  const extraHours = target.capacity?.extra_hours;
  if (extraHours) {
    found.push({
      kind: 'extra-hours',
      label: `Try: +${extraHours.hours_per_day} h a day for ${extraHours.owners.join(', ')}`,
      name: `longer-days-${target.id}`.slice(0, 64),
      patch: extraHours.owners.map((id) => {
        const owner = request.owners.find((item) => item.id === id);
        const now = owner?.hours_per_day ?? 8;
        return { op: 'add', path: `${pointerOf(request, 'owners', id)}/hours_per_day`, value: Math.min(24, now + extraHours.hours_per_day) };
      }),
    });
  }
  const extraOwners = target.capacity?.extra_owners;
  if (extraOwners) {
    const patch = [];
    let scratch = { ...request, owners: [...request.owners] };
    for (const group of extraOwners.groups) {
      for (let i = 0; i < group.count; i += 1) {
        const owner = { id: freeId(scratch, 'extra'), hours_per_day: group.hours_per_day, skills: group.skills };
        scratch = { ...scratch, owners: [...scratch.owners, owner] };
        patch.push({ op: 'add', path: '/owners/-', value: owner });
      }
    }
    found.push({ kind: 'extra-owners', label: `Try: add ${extraOwners.count} owner(s)`, name: `more-owners-${target.id}`.slice(0, 64), patch });
  }
  return found;
}

/** A fix of a conflicting set (an infeasible request) as a change to try, or null when it has no patch. */
export function fixAlternative(fix, request, position) {
  const issue = fix.ids[0];
  const at = (field) => `${pointerOf(request, 'issues', issue)}/${field}`;
  const patches = {
    move_deadline: () => fix.date && [{ op: 'add', path: at('deadline'), value: fix.date }],
    move_pin: () => fix.date && [{ op: 'add', path: at('pinned_start'), value: fix.date }],
    move_not_before: () => fix.date && [{ op: 'add', path: at('not_before'), value: fix.date }],
    drop_pin: () => [{ op: 'add', path: at('pinned_start'), value: null }],
    drop_owner_pin: () => [{ op: 'add', path: at('pinned_owner'), value: null }],
    drop_skills: () => {
      const skills = request.issues.find((item) => item.id === issue)?.skills || [];
      return [{ op: 'add', path: at('skills'), value: skills.filter((skill) => !fix.skills.includes(skill)) }];
    },
    add_owner: () => [{ op: 'add', path: '/owners/-', value: { id: freeId(request, 'extra'), hours_per_day: fix.hours_per_day ?? 8, skills: fix.skills } }],
    add_hours: () => fix.owners.map((id) => {
      const now = request.owners.find((owner) => owner.id === id)?.hours_per_day ?? 8;
      return { op: 'add', path: `${pointerOf(request, 'owners', id)}/hours_per_day`, value: Math.min(24, now + (fix.hours_per_day ?? 0)) };
    }),
  };
  const patch = patches[fix.kind]?.();
  return patch && patch.length ? { kind: fix.kind, label: `Try: ${fix.message}`, name: `fix-${position}-${fix.kind}`, patch } : null;
}

/** The summary line without the target's name in front (the card shows it). */
function withoutName(target) {
  const prefix = `${target.name || target.id}: `;
  return target.summary.startsWith(prefix) ? target.summary.slice(prefix.length) : target.summary;
}

/** Render the plan's recommendations; `onTry(alternative)` runs one as a what-if. */
export function renderRecommendations(container, plan, request, onTry) {
  const recommendations = plan.recommendations;
  if (!recommendations || (!recommendations.targets.length && !recommendations.infeasibility)) {
    fill(container, h('p', {}, 'Every milestone and deadline is met: nothing to recommend.'));
    return;
  }
  const items = recommendations.targets.map((target) => h('article', { class: 'recommendation', dataset: { target: target.key } },
    h('p', {}, h('strong', {}, target.name || target.id), `: ${withoutName(target)}`),
    target.why.length ? h('details', {}, h('summary', {}, 'Why'), h('ul', {}, target.why.map((reason) => h('li', {}, reason.message)))) : null,
    h('div', { class: 'actions' }, alternatives(target, request).map((alternative) =>
      h('button', { type: 'button', dataset: { kind: alternative.kind }, onclick: () => onTry(alternative) }, alternative.label)))));
  const fixes = (recommendations.infeasibility?.sets || []).flatMap((set) => set.fixes);
  const infeasible = recommendations.infeasibility
    ? h('article', { class: 'recommendation', dataset: { target: 'infeasibility' } },
      h('p', {}, h('strong', {}, 'No plan satisfies the hard rules: '), recommendations.infeasibility.message),
      h('ul', {}, fixes.map((fix, position) => {
        const alternative = fixAlternative(fix, request, position);
        return h('li', {}, fix.message, alternative
          ? [' ', h('button', { type: 'button', dataset: { kind: fix.kind }, onclick: () => onTry(alternative) }, 'Try it')] : null);
      })))
    : null;
  fill(container, items, infeasible);
}
