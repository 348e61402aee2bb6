/**
 * DOM helpers. Every piece of cluster text reaches the DOM through `textContent`, `title` or `dataset`
 * (property assignments, never parsed as markup); nothing in the view assigns `innerHTML`.
 */

/** Creates an element with an optional class and text (as `textContent`). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The skeleton element with this id, which renderHtml always emits; a missing one is a bug, so it throws. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`timeline skeleton: #${id} is missing`);
  return node;
}

/** Sets `textContent` only when it differs (avoids layout work on re-render). */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Sets or removes the `title` tooltip. */
export function setTitle(node: HTMLElement, title: string | undefined): void {
  if (title) {
    if (node.title !== title) node.title = title;
  } else if (node.hasAttribute('title')) {
    node.removeAttribute('title');
  }
}
