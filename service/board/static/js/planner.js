// Planning through the API: a plan (as a job with progress when the server runs jobs), a what-if against the
// current plan, and a re-plan against it as baseline when the server keeps living plans.
// Features that land later are found from the answers: a server that does not know a field refuses it with a
// 422 `unknown_field` naming it, and one without jobs answers 404; the board then asks the way it knows.

import { ApiProblem, getJson, postJson } from './api.js';
import { applyPatch } from './patch.js';

/** A job is polled soon after it is sent (small plans finish in well under a second), then less often. */
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1000;
/** What this server was seen to support: true, false, or null while not yet asked. */
const supported = { forecast: null, baseline: null, jobs: null, inProgress: null };

/**
 * True when the API refused a field named `name` it does not know: at that field of a plan request, or (in a
 * what-if, whose problems name the operation) at an operation of `patch` that sets it.
 */
function refusesField(error, name, patch) {
  return error instanceof ApiProblem && error.status === 422 && error.errors.some((problem) => {
    if (problem.code !== 'unknown_field') return false;
    const last = problem.loc[problem.loc.length - 1];
    const operation = problem.loc[problem.loc.length - 2] === 'patch' ? patch[last] : null;
    return last === name || Boolean(operation?.path.endsWith(`/${name}`));
  });
}

/** True when the API refused the request because it does not know the field at `path` (e.g. options.forecast). */
function refuses(error, path) {
  const tail = JSON.stringify(path);
  return error instanceof ApiProblem && error.status === 422 && error.errors.some((problem) =>
    problem.code === 'unknown_field' && JSON.stringify(problem.loc.slice(-path.length)) === tail);
}

function withForecast(request) {
  return { ...request, options: { ...(request.options || {}), forecast: {} } };
}

function ticking(onProgress) {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const timer = setInterval(() => onProgress(elapsed(), null), 100);
  return { elapsed, stop: () => clearInterval(timer) };
}

async function planAsJob(request, clock, onProgress) {
  const { data, response } = await postJson('/v1/jobs', { kind: 'plan', request });
  const location = response.headers.get('Location') || `/v1/jobs/${data.id}`;
  for (let pause = FIRST_POLL_MS; ; pause = Math.min(MAX_POLL_MS, pause * 2)) {
    await new Promise((resolve) => setTimeout(resolve, pause));
    const job = await getJson(location);
    onProgress(clock.elapsed(), job);
    if (job.status === 'succeeded') return job.result;
    if (job.status === 'failed' || job.status === 'cancelled') {
      throw new ApiProblem(job.error?.status || 500, job.error || { detail: `The plan job was ${job.status}.` });
    }
  }
}

async function planOnce(request, clock, onProgress) {
  if (supported.jobs !== false) {
    try {
      const result = await planAsJob(request, clock, onProgress);
      supported.jobs = true;
      return result;
    } catch (error) {
      if (!(error instanceof ApiProblem) || supported.jobs || ![404, 405].includes(error.status)) throw error;
      supported.jobs = false;
    }
  }
  return (await postJson('/v1/plans', request)).data;
}

/** Plan a request (with a forecast when the server makes them); `onProgress(seconds, job)` while it runs. */
export async function plan(request, onProgress) {
  const clock = ticking(onProgress);
  try {
    const forecast = supported.forecast !== false && !request.options?.forecast;
    try {
      const result = await planOnce(forecast ? withForecast(request) : request, clock, onProgress);
      if (forecast) supported.forecast = true;
      return result;
    } catch (error) {
      if (!forecast || !refuses(error, ['options', 'forecast'])) throw error;
      supported.forecast = false;
      return await planOnce(request, clock, onProgress);
    }
  } finally {
    clock.stop();
  }
}

async function whatIf(request, currentPlan, patch, name, onProgress) {
  const clock = ticking(onProgress);
  try {
    const body = {
      base: supported.forecast && !request.options?.forecast ? withForecast(request) : request,
      scenarios: [{ name, patch }],
      include_plans: true,
      baseline_plan: currentPlan,
    };
    const { data } = await postJson('/v1/plans/what-if', body);
    const outcome = data.scenarios[0];
    return { plan: outcome.plan, diff: outcome.diff, changes: null };
  } finally {
    clock.stop();
  }
}

/**
 * The request with `patch` applied, its plan, and what changed against the current plan: the plan's own
 * `changes` when the server re-plans against a baseline (unless `viaWhatIf`), else the what-if's diff.
 */
export async function replan(request, currentPlan, patch, name, onProgress, options = {}) {
  const flagged = patch.some((operation) => operation.path.endsWith('/in_progress'));
  const plain = patch.filter((operation) => !operation.path.endsWith('/in_progress'));
  if (flagged && supported.inProgress === false) return replanAs(request, currentPlan, plain, name, onProgress, options);
  try {
    const outcome = await replanAs(request, currentPlan, patch, name, onProgress, options);
    if (flagged) supported.inProgress = true;
    return outcome;
  } catch (error) {
    if (!flagged || !refusesField(error, 'in_progress', patch)) throw error;
    supported.inProgress = false;  // this server has no in-progress flag: the hours left say it
    return replanAs(request, currentPlan, plain, name, onProgress, options);
  }
}

async function replanAs(request, currentPlan, patch, name, onProgress, { viaWhatIf = false } = {}) {
  const changed = applyPatch(request, patch);
  if (!viaWhatIf && supported.baseline !== false) {
    try {
      const result = await plan({ ...changed, baseline: currentPlan }, onProgress);
      supported.baseline = true;
      return { request: changed, plan: result, diff: null, changes: result.changes ?? null };
    } catch (error) {
      if (!refuses(error, ['baseline'])) throw error;
      supported.baseline = false;
    }
  }
  return { request: changed, ...(await whatIf(request, currentPlan, patch, name, onProgress)) };
}
