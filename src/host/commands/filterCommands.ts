import * as vscode from 'vscode';
import { Views } from '../../constants';
import { QUERY_KEYS, resourceFilterText } from '../../core/query/syntax';
import type { FilterController } from '../filterController';
import { notificationText } from '../notify';
import { pickTypedValue } from '../typedPick';
import type { ResourcePicker } from './resourcePicker';
import { refOfRow } from './treeRows';

/** Shown under a query that does not parse: the keys (from the language itself) and the syntax, in one line. */
const QUERY_SYNTAX = `keys: ${QUERY_KEYS.map((k) => `${k}:`).join(' ')} — comma = any of, * glob, -negate, "phrase"`;

export interface FilterCommandDeps {
  readonly filter: FilterController;
  readonly picker: ResourcePicker;
}

/** The filter the tree, the timeline's default and the log share: set by a query, by a resource, or cleared. */
export class FilterCommands {
  constructor(private readonly deps: FilterCommandDeps) {}

  /**
   * Filter Events…: a query with inline validation and history. With a `text` argument it applies it
   * directly and reports a bad query as an error message (the filter stays as it was).
   */
  filterEvents = async (text?: unknown): Promise<boolean> => {
    if (typeof text === 'string') return this.applyQuery(text);
    const filter = this.deps.filter;
    const accepted = await pickTypedValue({
      title: 'Kube Events: Filter Events',
      placeholder: 'e.g. type:Warning under:Deployment/shop/web -reason:Scheduled since:30m "back-off"',
      value: filter.query.text,
      suggestions: filter.history,
      emptyLabel: '$(clear-all) Show all events',
      describe: (value) => {
        const check = filter.validate(value);
        return check ? { error: `${check} — ${QUERY_SYNTAX}` } : { description: '$(filter) apply this filter' };
      },
    });
    return accepted === undefined ? false : this.applyQuery(accepted);
  };

  /** Filter by Resource…: from a tree row, the manifest under the cursor, or a pick of kind then name. */
  filterByResource = async (arg?: unknown): Promise<boolean> => {
    const fromRow = refOfRow(arg);
    if (fromRow) return this.applyQuery(resourceFilterText(fromRow, true));
    const picked = await this.deps.picker.pick('Filter by Resource');
    if (!picked) return false;
    const owned = await vscode.window.showQuickPick(
      [
        { label: '$(type-hierarchy) Include owned resources', description: 'under: — e.g. a Deployment with its ReplicaSets and Pods', includeOwned: true },
        { label: '$(symbol-object) Only this resource', description: 'object:', includeOwned: false },
      ],
      { ignoreFocusOut: true, title: `Kube Events: Filter by ${picked.kind}/${picked.name}` },
    );
    if (!owned) return false;
    return this.applyQuery(resourceFilterText(picked, owned.includeOwned));
  };

  /** The tree item's action: the same as Filter by Resource… on that row. */
  filterToResource = (arg?: unknown): Promise<boolean> => this.filterByResource(arg);

  clearFilter = (): void => this.deps.filter.clear();

  /**
   * Applies a filter and shows the Events view (the Kubernetes extension's "Show Events", Show Session Events).
   * A query that does not parse is thrown, for the command wrapper to report.
   */
  showEvents = async (text: string): Promise<void> => {
    const error = this.deps.filter.set(text);
    if (error) throw new Error(error.message);
    await vscode.commands.executeCommand(`${Views.events}.focus`);
  };

  private applyQuery(text: string): boolean {
    const error = this.deps.filter.set(text);
    if (error) {
      void vscode.window.showErrorMessage(`Kube Events: the filter was not changed — ${notificationText(error.message)}`);
      return false;
    }
    return true;
  }
}
