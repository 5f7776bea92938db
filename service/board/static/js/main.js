// The planning board: loads a backlog, plans it through the /v1 API, and shows the plan, its recommendations,
// what-ifs and edits. Everything the page does is an API call a script could make.

import { ApiProblem, getJson, postForBlob, setApiKey } from './api.js';
import { byId, fill, h, show } from './dom.js';
import { renderChanges, renderDiff } from './diff.js';
import { renderDetails } from './details.js';
import { renderIssues } from './issues_table.js';
import { readBacklog, renderImportProblems } from './loader.js';
import { renderMilestones } from './milestones.js';
import { pointerOf } from './patch.js';
import { plan as planRequest, replan } from './planner.js';
import { renderRecommendations } from './recommendations.js';
import { renderTimeline } from './timeline.js';

const state = {
  request: null,
  plan: null,
  history: [],
  edits: [],
  timeline: null,
  scenario: null,
  busy: false,
};

const status = byId('status');

function say(text, kind = 'info') {
  status.textContent = text;
  status.dataset.kind = kind;
}

function describeProblem(error) {
  if (error instanceof ApiProblem) {
    const extra = error.errors.length > 1 ? ` (${error.errors.length} problems)` : '';
    return `${error.message}${extra}`;
  }
  return `Something went wrong: ${error.message}`;
}

/** A status line that counts the seconds; with a job, its progress, and its best plan so far drawn as it comes. */
function progress(verb, { bestOf = null } = {}) {
  let shown = null;
  return (seconds, job) => {
    const step = job?.progress;
    const parts = [];
    if (step?.level) parts.push(`improving ${step.level}`);
    if (typeof step?.levels_total === 'number') parts.push(`${step.levels_proven} of ${step.levels_total} levels proven`);
    if (typeof step?.gap === 'number') parts.push(`gap ${(step.gap * 100).toFixed(1)}%`);
    say(`${verb}… ${seconds.toFixed(1)} s${parts.length ? `; ${parts.join(', ')}` : ''}`, 'busy');
    if (bestOf && step?.best_plan && step.best_plan !== shown) {
      shown = step.best_plan;
      state.request = bestOf;
      state.plan = step.best_plan;
      render();
    }
  };
}

/** Run an API step with the page marked busy; problems become the status line (and a key prompt on 401). */
async function busy(step) {
  if (state.busy) return undefined;
  state.busy = true;
  document.body.dataset.busy = 'true';
  try {
    return await step();
  } catch (error) {
    say(describeProblem(error), 'error');
    if (error instanceof ApiProblem && error.status === 401) byId('api-key-dialog').showModal();
    return undefined;
  } finally {
    state.busy = false;
    delete document.body.dataset.busy;
  }
}

function summaryText(plan) {
  const planned = plan.issues.filter((issue) => issue.status === 'planned').length;
  const late = plan.issues.filter((issue) => issue.late).length;
  const gap = plan.status === 'FEASIBLE' ? `, gap ${(plan.gap * 100).toFixed(1)}%` : '';
  const seconds = plan.timing?.wall_time_s ?? plan.solve_time_s;
  return `${plan.status}${gap}${plan.checked ? ', checked by the independent checker' : ''}; ${planned} issues planned`
    + `, ${late} late, ${plan.owners.length} owner(s); planned in ${seconds.toFixed(1)} s.`;
}

function showIssue(id) {
  const panel = byId('details');
  if (panel.contains(document.activeElement) && panel.dataset.issue === id) return;
  if (panel.contains(document.activeElement) && document.activeElement.tagName === 'INPUT') return;
  panel.dataset.issue = id;
  renderDetails(panel, id, state.plan, state.request, addEdit);
}

function render() {
  const { plan, request } = state;
  show(byId('board'));
  byId('board').dataset.hasPlan = 'true';
  fill(byId('plan-summary'), h('p', {}, summaryText(plan)),
    plan.warnings.length ? h('details', {}, h('summary', {}, `${plan.warnings.length} warning(s)`),
      h('ul', {}, plan.warnings.map((warning) => h('li', {}, warning.message)))) : null);
  renderMilestones(byId('milestones'), plan, request, (id, due) => addEdit({ kind: 'due', id, value: due }));
  renderRecommendations(byId('recommendations'), plan, request, tryAlternative);
  state.timeline = renderTimeline(byId('timeline'), plan, request, showIssue);
  renderIssues(byId('issues'), plan, (id) => {
    showIssue(id);
    if (!state.timeline.focusIssue(id)) byId('details').focus();  // no piece on the timeline: go to its details
  });
  fill(byId('details'), h('p', { class: 'hint' }, 'Hover or focus a piece of work to see its details and why it sits there.'));
  delete byId('details').dataset.issue;
  byId('undo').disabled = state.history.length === 0;
  renderEdits();
}

async function load(request, notes, source) {
  show(byId('import-section'), false);
  show(byId('notes-section'), Boolean(notes?.length));
  fill(byId('import-notes'), (notes || []).map((note) => h('li', {}, note.message)));
  show(byId('scenario-section'), false);
  show(byId('changes-section'), false);
  const result = await planRequest(request, progress(`Planning ${source}`, { bestOf: request }));
  performance.mark('plan-received');
  state.request = request;
  state.plan = result;
  if (result.start_date) byId('start-date').value = result.start_date; // the field shows the shown plan's start
  state.history = [];
  state.edits = [];
  render();
  say(`Plan of ${source} ready: ${summaryText(result)}`, 'done');
  document.body.dataset.state = 'ready';
  performance.mark('board-ready');
}

async function openExample() {
  await busy(async () => {
    say('Opening the reference example…', 'busy');
    const request = await getJson('/v1/examples/reference-backlog');
    await load(request, [], 'the reference example');
  });
}

async function upload(file) {
  await busy(async () => {
    say(`Reading ${file.name}…`, 'busy');
    const read = await readBacklog(file, byId('upload-kind').value, byId('start-date').value);
    if (read.problems) {
      show(byId('board'));
      show(byId('import-section'));
      renderImportProblems(byId('import-problems'), read.problems, read.kind, read.text);
      say(`${file.name} has ${read.problems.length} problem(s): see "Import problems".`, 'error');
      document.body.dataset.state = 'import-problems';
      byId('import-section').scrollIntoView();
      return;
    }
    await load(read.request, read.notes, file.name);
  });
}

// --- what-ifs and edits -------------------------------------------------------------------------------------

function editLabel(edit) {
  switch (edit.kind) {
    case 'estimate': return `${edit.id}: estimate ${edit.value} h`;
    case 'in-progress': return `${edit.id}: in progress, ${edit.value} h left`;
    case 'done': return `${edit.id}: done`;
    case 'due': return `${edit.id}: due ${edit.value}`;
    case 'owner': return `add ${edit.value.id} (${edit.value.hours_per_day} h a day)`;
    default: return edit.kind;
  }
}

function editPatch(edit, request) {
  switch (edit.kind) {
    case 'estimate': return [{ op: 'add', path: `${pointerOf(request, 'issues', edit.id)}/estimate_hours`, value: edit.value }];
    case 'in-progress': return [
      { op: 'add', path: `${pointerOf(request, 'issues', edit.id)}/remaining_hours`, value: edit.value },
      { op: 'add', path: `${pointerOf(request, 'issues', edit.id)}/in_progress`, value: true },
    ];
    case 'done': return [{ op: 'add', path: `${pointerOf(request, 'issues', edit.id)}/remaining_hours`, value: 0 }];
    case 'due': return [{ op: 'add', path: `${pointerOf(request, 'milestones', edit.id)}/due`, value: edit.value }];
    case 'owner': return [{ op: 'add', path: '/owners/-', value: edit.value }];
    default: return [];
  }
}

function addEdit(edit) {
  state.edits = [...state.edits.filter((item) => !(item.kind === edit.kind && item.id === edit.id && edit.kind !== 'owner')), edit];
  renderEdits();
  say(`Change noted: ${editLabel(edit)}. Re-plan to see what it does.`, 'info');
}

function renderEdits() {
  fill(byId('pending-edits'), state.edits.map((edit, index) => h('li', {}, editLabel(edit), ' ',
    h('button', { type: 'button', 'aria-label': `Remove change: ${editLabel(edit)}`, onclick: () => { state.edits.splice(index, 1); renderEdits(); } }, 'Remove'))));
  byId('replan').disabled = state.edits.length === 0;
  byId('discard-edits').disabled = state.edits.length === 0;
}

function remember() {
  state.history.push({ request: state.request, plan: state.plan });
}

async function replanWithEdits() {
  await busy(async () => {
    const patch = state.edits.flatMap((edit) => editPatch(edit, state.request));
    const before = state.plan;
    const outcome = await replan(state.request, state.plan, patch, 'edits', progress('Re-planning with your changes'));
    remember();
    state.request = outcome.request;
    state.plan = outcome.plan;
    const listed = state.edits.map(editLabel);
    state.edits = [];
    render();
    show(byId('scenario-section'), false);
    show(byId('changes-section'));
    fill(byId('changes'), h('p', {}, `Changes: ${listed.join('; ')}.`),
      outcome.changes ? renderChanges(outcome.changes, before, outcome.plan) : renderDiff(outcome.diff, before, outcome.plan));
    say(`Re-planned with ${listed.length} change(s): ${summaryText(outcome.plan)}`, 'done');
    byId('changes-section').focus();
  });
}

async function tryAlternative(alternative) {
  await busy(async () => {
    const before = state.plan;
    const outcome = await replan(state.request, state.plan, alternative.patch, alternative.name,
      progress(`Trying "${alternative.label.replace(/^Try: /, '')}"`), { viaWhatIf: true });
    state.scenario = outcome;
    show(byId('scenario-section'));
    fill(byId('scenario'),
      h('p', {}, h('strong', {}, alternative.label.replace(/^Try: /, '')), ` — ${summaryText(outcome.plan)}`),
      renderDiff(outcome.diff, before, outcome.plan),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'apply-scenario', onclick: applyScenario }, 'Apply this change'),
        h('button', { type: 'button', onclick: () => { state.scenario = null; show(byId('scenario-section'), false); } }, 'Discard')));
    say(`What-if ready: ${alternative.label.replace(/^Try: /, '')}. Apply it or discard it.`, 'done');
    byId('scenario-section').focus();
  });
}

function applyScenario() {
  if (!state.scenario) return;
  remember();
  state.request = state.scenario.request;
  state.plan = state.scenario.plan;
  state.scenario = null;
  render();
  show(byId('scenario-section'), false);
  say(`Change applied: ${summaryText(state.plan)}`, 'done');
}

function undo() {
  const last = state.history.pop();
  if (!last) return;
  state.request = last.request;
  state.plan = last.plan;
  render();
  show(byId('changes-section'), false);
  say('The last change was undone.', 'info');
}

// --- exports ------------------------------------------------------------------------------------------------

const EXPORTS = { md: 'capplan-week-plan.md', csv: 'capplan-plan.csv', ics: 'capplan-plan.ics', png: 'capplan-gantt.png', request: 'capplan-backlog.json' };

async function exportAs(format) {
  await busy(async () => {
    const blob = format === 'request'
      ? new Blob([JSON.stringify(state.request, null, 2)], { type: 'application/json' })
      : await postForBlob(`/v1/reports/${format}`, { request: state.request, plan: state.plan });
    const url = URL.createObjectURL(blob);
    const link = h('a', { href: url, download: EXPORTS[format] });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(`Exported ${EXPORTS[format]}.`, 'done');
  });
}

// --- wiring -------------------------------------------------------------------------------------------------

function wire() {
  byId('start-date').value = new Date().toISOString().slice(0, 10);
  byId('open-example').addEventListener('click', openExample);
  byId('upload').addEventListener('change', (event) => {
    const [file] = event.target.files;
    if (file) upload(file);
    event.target.value = '';
  });
  byId('replan').addEventListener('click', replanWithEdits);
  byId('discard-edits').addEventListener('click', () => { state.edits = []; renderEdits(); });
  byId('undo').addEventListener('click', undo);
  for (const button of document.querySelectorAll('[data-export]')) button.addEventListener('click', () => exportAs(button.dataset.export));
  byId('add-owner').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    const id = form.elements.id.value.trim();
    if (!id || !state.request) return;
    const agent = form.elements.kind.value === 'agent';
    const owner = agent
      ? { id, hours_per_day: 24, working_weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], works_holidays: true }
      : { id, hours_per_day: Number(form.elements.hours.value) || 8 };
    addEdit({ kind: 'owner', id, value: owner });
    form.reset();
  });
  const dialog = byId('api-key-dialog');
  byId('api-key-button').addEventListener('click', () => dialog.showModal());
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'save') {
      setApiKey(byId('api-key-input').value.trim());
      say('API key set for this tab.', 'info');
    }
  });
  if (new URLSearchParams(window.location.search).get('example') === 'reference') openExample();
}

wire();
