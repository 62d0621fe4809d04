// A chat message's text as DOM nodes: text nodes only, with web addresses made into links.
// Nothing the author wrote is ever parsed as HTML: `<img src=x onerror=…>` stays those
// characters. A link is made only from an http(s) address the URL parser accepts, opens in a
// new tab and sends no referrer, so a message cannot run script or leak the page's address.

const ADDRESS = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** The nodes of `text`: strings, and `<a>` for each web address in it. */
export function richText(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const address = match[0].replace(TRAILING, "");
    const link = linkTo(address);
    if (!link) continue;
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    nodes.push(link);
    last = match.index + address.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

function linkTo(address) {
  let url;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const link = document.createElement("a");
  link.href = url.href;
  link.target = "_blank";
  link.rel = "noopener noreferrer nofollow";
  link.textContent = address;
  return link;
}
