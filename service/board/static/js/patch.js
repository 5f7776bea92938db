// JSON Patch (RFC 6902) as the board writes it: `add`, `replace` and `remove` of object members and list items.
// The same operations go to the what-if endpoint as a scenario, so the server and the board change alike.

function parent(document, path) {
  const parts = path.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = parts.pop();
  let node = document;
  for (const part of parts) {
    node = Array.isArray(node) ? node[Number(part)] : node[part];
    if (node === undefined || node === null) throw new Error(`${path} does not exist`);
  }
  return [node, last];
}

/** A copy of `document` with `operations` applied in order. */
export function applyPatch(document, operations) {
  const result = structuredClone(document);
  for (const operation of operations) {
    const [node, key] = parent(result, operation.path);
    if (Array.isArray(node)) {
      const index = key === '-' ? node.length : Number(key);
      if (operation.op === 'remove') node.splice(index, 1);
      else if (operation.op === 'add') node.splice(index, 0, structuredClone(operation.value));
      else node[index] = structuredClone(operation.value);
    } else if (operation.op === 'remove') {
      delete node[key];
    } else {
      node[key] = structuredClone(operation.value);
    }
  }
  return result;
}

/** JSON Pointer of a request's issue, owner or milestone by id (the API addresses them by position). */
export function pointerOf(request, list, id) {
  const index = (request[list] || []).findIndex((item) => item.id === id);
  if (index < 0) throw new Error(`${id} is not in ${list}`);
  return `/${list}/${index}`;
}
