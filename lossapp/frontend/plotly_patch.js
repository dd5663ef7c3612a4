// On every draw plotly works out which attributes of each trace hold arrays by walking the trace type's whole
// attribute schema, hundreds of entries (0.7 ms a trace here: 14 to 21 ms of each redraw of the Training lab's
// panels). The schema never changes: this walks it once per trace type, keeps the paths where an array may
// sit, and then looks only there. Same paths, same order (tests/browser/test_fast_redraw.py compares the two
// on every trace of several pages); plotly's own function stays at PlotSchema.__lossappOriginal.
function isArrayLike(v) {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function isPlain(v) {
  return Object.prototype.toString.call(v) === '[object Object]'
    && Object.prototype.hasOwnProperty.call(Object.getPrototypeOf(v), 'hasOwnProperty');
}

export function speedUpArrayAttributes(Plotly) {
  const schema = Plotly.PlotSchema;
  if (!schema || schema.__lossappOriginal || typeof schema.crawl !== 'function') return;
  const original = schema.findArrayAttributes;
  // the base attributes every trace has: the first thing plotly's own function walks
  let base = null;
  const crawl = schema.crawl;
  schema.crawl = function (attrs, ...rest) {
    if (base === null) base = attrs;
    return crawl.call(this, attrs, ...rest);
  };
  try { original.call(schema, {}); } finally { schema.crawl = crawl; }
  if (!base) return;
  const paths = new Map();
  function pathsOf(mod) {
    if (!paths.has(mod)) {
      const found = [];
      let stack = [], linked = [];
      const visit = (attr, name, attrs, level) => {
        stack = stack.slice(0, level).concat([name]);
        linked = linked.slice(0, level).concat([attr && attr._isLinkedToArray]);
        const colorbarTicks = stack[level - 1] === 'colorbar' && (name === 'ticktext' || name === 'tickvals');
        if (attr && (attr.valType === 'data_array' || attr.arrayOk === true) && !colorbarTicks) {
          found.push([stack, linked]);
        }
      };
      schema.crawl(base, visit);
      if (mod.attributes) schema.crawl(mod.attributes, visit);
      paths.set(mod, found);
    }
    return paths.get(mod);
  }
  function look(container, stack, linked, i, prefix, out) {
    const item = container[stack[i]];
    const name = prefix + stack[i];
    if (i === stack.length - 1) {
      if (isArrayLike(item)) out.push(name);
    } else if (linked[i]) {
      if (Array.isArray(item)) {
        item.forEach((el, j) => { if (isPlain(el)) look(el, stack, linked, i + 1, `${name}[${j}].`, out); });
      }
    } else if (isPlain(item)) {
      look(item, stack, linked, i + 1, name + '.', out);
    }
  }
  schema.findArrayAttributes = function (trace) {
    if (!trace || !trace._module) return original.call(this, trace);
    const out = [];
    for (const [stack, linked] of pathsOf(trace._module)) look(trace, stack, linked, 0, '', out);
    return out;
  };
  schema.__lossappOriginal = original;
}
