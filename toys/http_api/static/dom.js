// Building the page without ever parsing a string as HTML: every value is a text node.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

export const STATUSES = ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "ERROR"];

// "MANUFACTURE_STATUS_SUCCEEDED" -> "SUCCEEDED"; protobuf's JSON leaves a zero enum out.
export function statusOf(toy) {
  return (toy.status || "MANUFACTURE_STATUS_UNSPECIFIED").replace("MANUFACTURE_STATUS_", "");
}

export function badge(status) {
  const label = status.charAt(0) + status.slice(1).toLowerCase();
  return el("span", { class: `badge ${status}` }, label);
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return el("time", { datetime: iso, title: date.toLocaleString() }, ago(date));
}

export function ago(date) {
  const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

export function timestamp(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}
