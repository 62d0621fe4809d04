// Builds DOM elements from a tag, attributes and children. Strings become text nodes, never
// markup, so names and other user data can be passed straight in.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  node.append(
    ...children
      .flat(Infinity)
      .filter((child) => child !== null && child !== undefined && child !== false),
  );
  return node;
}

let counter = 0;

/** An id no other element of the page has, for labels and aria-describedby. */
export function uniqueId(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A <select> whose options are [value, label] pairs, with `selected` chosen. */
export function selectOf(attributes, options, selected) {
  return el(
    "select",
    attributes,
    options.map(([value, label]) => el("option", { value, selected: value === selected }, label)),
  );
}
