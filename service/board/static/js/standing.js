// A milestone's standing in a lead's words, straight from the plan's own `status` (late -> at risk), and the
// cautions beside it (no day to spare, issues without an estimate); the word never depends on colour.

import { longDate, plural } from './dates.js';

/** The contract's milestone statuses in a lead's words. */
export const WORDS = {
  on_track: 'on time',
  late: 'at risk',
  overdue: 'overdue',
  done: 'done',
  no_due_date: 'no due date',
  unestimated: 'no estimate',
  unscheduled: 'no plan',
};
export const SYMBOLS = {
  'on time': '✓', 'at risk': '⚠', overdue: '✕', done: '✓', 'no due date': '–', 'no estimate': '?', 'no plan': '✕',
};

/** { word, reasons[] } of a MilestonePlan. */
export function standingOf(milestone, plan) {
  const word = WORDS[milestone.status] || milestone.status;
  const reasons = [];
  const { due, projected_finish: finish } = milestone;
  if (milestone.status === 'overdue' && due) {
    reasons.push(`due ${longDate(due)}, before the plan starts ${longDate(plan.start_date)}`);
    if (milestone.late) reasons.push(`finishes ${plural(milestone.lateness_working_days, 'working day')} after due`);
  } else if (milestone.status === 'late') {
    reasons.push(`projected ${plural(milestone.lateness_working_days, 'working day')} late`);
  } else if (milestone.status === 'unscheduled') {
    reasons.push('the plan has no schedule: see the recommendations');
  } else if (milestone.status === 'on_track' && due && finish && finish === due) {
    reasons.push('finishes on its due date, no day to spare');
  }
  if (milestone.unplanned_issues) {
    reasons.push(milestone.unplanned_issues === milestone.issues
      ? `none of its ${plural(milestone.issues, 'issue')} has an estimate`
      : `${milestone.unplanned_issues} of ${milestone.issues} issues have no estimate`);
  }
  return { word, reasons };
}

/** The CSS class of a standing (colour and border style; the word and symbol carry the meaning). */
export function standingClass(word) {
  return `standing-${word.replace(/ /g, '-')}`;
}
