/** Every command the extension contributes. Keep in step with package.json `contributes.commands`. */
export const enum CommandId {
  ShowSession = 'sessionLens.showSession',
}

/** The Session webview view. */
export const SESSION_VIEW_ID = 'sessionLens.session';
