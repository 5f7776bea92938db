// Loading a backlog: a capplan request (JSON), or a file the server's importers read (CSV, Jira and Linear
// exports, gh's issue or project JSON, Excel). Problems are shown next to the data: for a CSV, its rows with each
// bad cell marked.

import { h, fill } from './dom.js';
import { ApiProblem, postJson } from './api.js';

/** Which importer a file needs, from the choice made or its name and content. */
export function kindOf(file, chosen, text) {
  if (chosen !== 'auto') return chosen;
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.xlsx') || name.endsWith('.xlsm')) return 'excel';
  const start = (text || '').trimStart();
  return start.startsWith('[') ? 'github' : 'request';
}

function base64Of(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The request a file holds, { kind, request, notes }, or the problems that keep it from one, { kind, text, problems }. */
export async function readBacklog(file, chosen, startDate) {
  const excel = chosen === 'excel' || (chosen === 'auto' && /\.xls[xm]$/i.test(file.name));
  const text = excel ? null : await file.text();
  const kind = excel ? 'excel' : kindOf(file, chosen, text);
  if (kind === 'request') {
    let request;
    try {
      request = JSON.parse(text);
    } catch (error) {
      const problem = { loc: [file.name], code: 'json_invalid', message: `${file.name} is not JSON: ${error.message}` };
      return { kind, text, problems: [problem] };
    }
    const { data } = await postJson('/v1/plans/validate', request);
    return data.valid ? { kind, request, notes: [] } : { kind, text, problems: data.problems };
  }
  const body = { filename: file.name, content: excel ? base64Of(await file.arrayBuffer()) : text, content_encoding: excel ? 'base64' : 'text' };
  if (startDate) body.start_date = startDate;
  try {
    const { data } = await postJson(`/v1/imports/${kind}`, body);
    return { kind, request: data.request, notes: data.notes };
  } catch (error) {
    if (!(error instanceof ApiProblem) || error.status !== 422) throw error;
    return { kind, text, problems: error.errors.length ? error.errors : [{ loc: [], message: error.message }] };
  }
}

/** Kinds whose file is a CSV table (shown row by row next to its problems). */
const TABLES = new Set(['csv', 'jira', 'linear']);

/** Rows of a CSV text (RFC 4180 quotes; comma, semicolon or tab as its header shows, as the importer reads it). */
export function csvRows(content) {
  const text = content.replace(/^\ufeff/, '');
  const header = text.split('\n', 1)[0];
  const separator = [',', ';', '\t'].reduce((best, c) => (header.split(c).length > header.split(best).length ? c : best), ',');
  const rows = [];
  let row = [''];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { row[row.length - 1] += '"'; i += 1; } else if (c === '"') quoted = false;
      else row[row.length - 1] += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) row.push('');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      rows.push(row);
      row = [''];
    } else row[row.length - 1] += c;
  }
  if (row.length > 1 || row[0] !== '') rows.push(row);
  return rows;
}

const normal = (name) => String(name).trim().toLowerCase().replace(/\s+/g, '_');

/** The problems of an import, each in words, and for CSV the rows of the file with the bad cells marked. */
export function renderImportProblems(container, problems, kind, text) {
  const list = h('ul', { class: 'problems' }, problems.map((problem) => h('li', {}, problem.message)));
  const parts = [h('p', {}, `The file cannot be planned yet: ${problems.length} problem(s).`), list];
  if (TABLES.has(kind) && text) {
    const rows = csvRows(text);
    const header = rows[0] || [];
    const columns = header.map(normal);
    const byCell = new Map();
    for (const problem of problems) {
      const [, row, column] = problem.loc;
      if (typeof row === 'number') {
        const key = `${row}:${column === undefined ? '' : normal(column)}`;
        byCell.set(key, [...(byCell.get(key) || []), problem.message]);
      }
    }
    const body = rows.slice(1).map((cells, index) => {
      const number = index + 2;
      const rowProblems = byCell.get(`${number}:`) || [];
      return h('tr', { class: rowProblems.length ? 'has-problem' : '' },
        h('th', { scope: 'row' }, String(number)),
        columns.map((column, position) => {
          const messages = byCell.get(`${number}:${column}`) || [];
          return h('td', { class: messages.length ? 'bad-cell' : '', title: messages.join('\n') || null },
            cells[position] ?? '', messages.length ? h('span', { class: 'cell-problem' }, ` ⚠ ${messages.join('; ')}`) : null);
        }));
    });
    parts.push(h('div', { class: 'preview' }, h('table', { class: 'csv-preview', 'aria-label': 'The uploaded rows, bad cells marked' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Row'), header.map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, body))));
  }
  fill(container, parts);
}
