/**
 * The filter box: posts `filter/change` as the user types (debounced), and shows the host's verdict: a bad
 * query's message inline under the box, with the bad span of the text marked. The previous filter stays in
 * effect until a query parses.
 */
import type { FilterStateDto } from '../protocol/webview';
import { setText } from './dom';
import { RunOnceScheduler } from '../core/lifecycle';

const DEBOUNCE_MS = 200;

export interface FilterBoxElements {
  readonly input: HTMLInputElement;
  readonly error: HTMLElement;
}

export class FilterBox {
  private readonly debounce = new RunOnceScheduler(() => this.send(), DEBOUNCE_MS);
  private lastSent: string | undefined;

  constructor(
    private readonly els: FilterBoxElements,
    private readonly onChange: (text: string) => void,
  ) {
    els.input.addEventListener('input', () => {
      this.debounce.schedule();
    });
    els.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.send();
      } else if (e.key === 'Escape' && els.input.value !== '') {
        e.preventDefault();
        els.input.value = '';
        this.send();
      }
    });
  }

  get text(): string {
    return this.els.input.value;
  }

  /**
   * Shows the host's filter state. The box text is replaced only while the box does not have focus (the user may
   * be typing something newer), or when `force`d (the first state after the page loaded).
   */
  show(state: FilterStateDto, force: boolean): void {
    const input = this.els.input;
    if (input.value !== state.text && (force || document.activeElement !== input)) input.value = state.text;
    this.lastSent = state.text;
    const error = state.error;
    // An error about text the box no longer holds is stale; the answer to the newer text is on its way.
    if (!error || state.text !== input.value) {
      this.els.error.hidden = true;
      input.removeAttribute('aria-invalid');
      return;
    }
    const box = this.els.error;
    const message = box.querySelector('.filter-error-message');
    const before = box.querySelector('.before');
    const bad = box.querySelector('.bad');
    const after = box.querySelector('.after');
    if (message) setText(message, error.message);
    if (before) setText(before, state.text.slice(0, error.start));
    // An empty span (an error at the end of the text) still gets a visible mark.
    if (bad) setText(bad, error.end > error.start ? state.text.slice(error.start, error.end) : ' ');
    if (after) setText(after, state.text.slice(error.end));
    box.hidden = false;
    input.setAttribute('aria-invalid', 'true');
  }

  private send(): void {
    this.debounce.cancel();
    const text = this.els.input.value;
    if (text === this.lastSent) return;
    this.lastSent = text;
    this.onChange(text);
  }
}
