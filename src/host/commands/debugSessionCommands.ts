import * as vscode from 'vscode';
import type { DebugFollower } from '../debug/debugFollower';
import { sessionFilterText } from '../debug/eventsViewSession';
import type { FilterController } from '../filterController';
import { TimelinePanel, type TimelineContext } from '../timeline/timelinePanel';

const NO_DEBUG_SESSION = 'Kube Events: no debug session has run since the window opened.';

export interface DebugSessionCommandDeps {
  readonly follower: Pick<DebugFollower, 'last'>;
  readonly filter: Pick<FilterController, 'query'>;
  /** Applies a filter and shows the Events view (FilterCommands.showEvents). */
  readonly showEvents: (text: string) => Promise<void>;
  readonly timeline: TimelineContext;
}

/** The events of the last debug session (src/host/debug), in the Events view or the timeline. */
export class DebugSessionCommands {
  constructor(private readonly deps: DebugSessionCommandDeps) {}

  showSessionEvents = async (): Promise<void> => {
    if (!this.deps.follower.last) {
      void vscode.window.showInformationMessage(NO_DEBUG_SESSION);
      return;
    }
    await this.deps.showEvents(sessionFilterText(this.deps.filter.query));
  };

  openSessionTimeline = (): void => {
    if (!this.deps.follower.last) {
      void vscode.window.showInformationMessage(NO_DEBUG_SESSION);
      return;
    }
    const text = sessionFilterText(this.deps.filter.query);
    const panel = TimelinePanel.current ?? TimelinePanel.createOrShow({ ...this.deps.timeline, getQueryText: () => text });
    panel.reveal();
    panel.setFilterText(text);
    panel.fitSession();
  };
}
