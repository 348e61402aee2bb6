import * as vscode from 'vscode';
import { Commands } from '../../constants';
import { errorMessage } from '../../core/text/errorMessage';
import { showErrorWithLog } from '../notify';

type CommandId = (typeof Commands)[keyof typeof Commands];
/** A handler for every command key in `Commands`: what `registerCommands` is given. */
export type CommandHandlers = { [K in keyof typeof Commands]: (...args: unknown[]) => unknown };

/**
 * Registers every command through one wrapper: an unexpected failure is logged with its stack and shown
 * as one notification with a "Show Log" action, never as a bare stack trace.
 */
export function registerCommands(log: vscode.LogOutputChannel, handlers: CommandHandlers): vscode.Disposable[] {
  // Iterate the id table, not the handler object, whose own keys may include private state.
  return (Object.keys(Commands) as Array<keyof typeof Commands>).map((key) => {
    const id: CommandId = Commands[key];
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handlers[key](...args);
      } catch (err) {
        const message = errorMessage(err);
        log.error(`[command] ${id} failed: ${err instanceof Error && err.stack ? err.stack : message}`);
        showErrorWithLog(log, message);
        return undefined;
      }
    });
  });
}
