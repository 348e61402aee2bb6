import * as vscode from 'vscode';

/** How the row for the typed text looks: an error (it cannot be accepted yet) or what Enter would do. */
export interface TypedRow {
  /** Why the text cannot be used; the picker stays open on Enter. */
  readonly error?: string;
  /** Shown after the text, e.g. "apply this filter". */
  readonly description?: string;
  /** A second line, e.g. a convention hint; codicons allowed. */
  readonly detail?: string;
}

export interface TypedPickOptions {
  readonly title: string;
  readonly placeholder: string;
  /** The text the box starts with. */
  readonly value: string;
  /** Earlier answers, newest first, offered below the typed text. */
  readonly suggestions: readonly string[];
  /** Describes the row for what is typed (called on every keystroke with the trimmed text). */
  readonly describe: (text: string) => TypedRow;
  /** The row shown for an empty box when empty is a valid answer (e.g. "Show all events"). */
  readonly emptyLabel?: string;
}

type Item = vscode.QuickPickItem & { readonly typed: boolean; readonly value: string };

/**
 * A quick pick where the typed text is the answer unless the user moves to a suggestion (arrow keys or the
 * mouse). VS Code sorts the rows that match the typed text by how well their labels match (stable API
 * cannot turn that off), so a suggestion such as "RolloutStuck" used to rank above a row labelled
 * `Use "RolloutStuc"` and Enter sent the suggestion. Here the typed row's label is the text itself, which
 * is an exact match and always ranks first; it is made the active row after every keystroke; and Enter on
 * it reads the box at that moment, so a keystroke the row has not caught up with is not lost.
 * Resolves to the trimmed answer, or undefined when the picker was dismissed.
 */
export async function pickTypedValue(opts: TypedPickOptions): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = opts.title;
  qp.placeholder = opts.placeholder;
  qp.ignoreFocusOut = true;
  qp.matchOnDescription = false;
  qp.matchOnDetail = false;
  qp.value = opts.value;
  const typedRow = (raw: string): Item => {
    const text = raw.trim();
    const row = opts.describe(text);
    if (!text) return { label: row.error ? `$(error) ${row.error}` : (opts.emptyLabel ?? ''), alwaysShow: true, typed: true, value: '' };
    if (row.error) return { label: raw, detail: `$(error) ${row.error}`, alwaysShow: true, typed: true, value: text };
    return { label: raw, description: row.description, detail: row.detail, alwaysShow: true, typed: true, value: text };
  };
  // Suggestions keep their places (a match of the typed text is not dropped): the workbench names rows by
  // position, so a move to a row the user made just before the list was replaced still means that row.
  const suggestions = opts.suggestions.map((s): Item => ({ label: s, description: 'recent', typed: false, value: s }));
  const render = (): void => {
    const head = typedRow(qp.value);
    qp.items = [head, ...suggestions];
    qp.activeItems = [head];
  };
  render();
  const disposables = [qp.onDidChangeValue(render)];
  try {
    return await new Promise<string | undefined>((resolve) => {
      disposables.push(
        qp.onDidAccept(() => {
          const item = qp.activeItems[0] ?? qp.selectedItems[0];
          if (!item) return;
          // The typed row: what the box says now, checked again (the row may lag a fast typist by a keystroke).
          const answer = item.typed ? qp.value.trim() : item.value;
          if (item.typed && (opts.describe(answer).error || (!answer && opts.emptyLabel === undefined))) {
            render();
            return;
          }
          resolve(answer);
          qp.hide();
        }),
        qp.onDidHide(() => resolve(undefined)),
      );
      qp.show();
    });
  } finally {
    for (const d of disposables) d.dispose();
    qp.dispose();
  }
}
