// Renders /dev/status.json: one row per component, its state in words and colour.
const REFRESH_MS = 30_000;

const summary = document.getElementById("summary");
const rows = document.getElementById("components");
const checkedAt = document.getElementById("checked-at");
const endpoints = document.getElementById("endpoints");
const refresh = document.getElementById("refresh");

function cell(tag, text, attributes = {}) {
  const element = document.createElement(tag);
  element.textContent = text;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

function renderComponent(component) {
  const row = document.createElement("tr");
  row.append(cell("th", component.label, { scope: "row" }));
  const state = cell("td", component.healthy ? "Healthy" : "Failing", {
    class: component.healthy ? "state healthy" : "state failing",
  });
  state.prepend(cell("span", component.healthy ? "✓ " : "✗ ", { "aria-hidden": "true" }));
  row.append(state, cell("td", component.detail));
  return row;
}

function renderEndpoints(links) {
  endpoints.replaceChildren(
    ...links.map(({ name, url, browsable }) => {
      const item = document.createElement("li");
      item.append(`${name}: `, browsable ? cell("a", url, { href: url }) : cell("code", url));
      return item;
    }),
  );
}

async function check() {
  refresh.disabled = true;
  summary.textContent = "Checking every component…";
  try {
    const response = await fetch("/dev/status.json", { cache: "no-store" });
    const report = await response.json();
    const failing = report.components.filter((component) => !component.healthy);
    rows.replaceChildren(...report.components.map(renderComponent));
    summary.textContent = failing.length === 0
      ? `All ${report.components.length} components are healthy.`
      : `${failing.length} of ${report.components.length} components failing: ` +
        failing.map((component) => component.label).join(", ") + ".";
    summary.className = failing.length === 0 ? "healthy" : "failing";
    checkedAt.textContent = `Checked at ${new Date(report.checked_at).toLocaleTimeString()}.`;
    renderEndpoints(report.endpoints);
  } catch (error) {
    summary.textContent = `The status could not be read: ${error.message}. Is the stack running?`;
    summary.className = "failing";
  } finally {
    refresh.disabled = false;
  }
}

refresh.addEventListener("click", check);
setInterval(() => {
  if (document.visibilityState === "visible") check();
}, REFRESH_MS);
check();
