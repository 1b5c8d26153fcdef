/** Every command the extension contributes. Keep in step with package.json `contributes.commands`. */
export const enum CommandId {
  ShowSession = 'sessionLens.showSession',
  StartCapture = 'sessionLens.startCapture',
  StopCapture = 'sessionLens.stopCapture',
  OpenProxiedApp = 'sessionLens.openProxiedApp',
  ImportHar = 'sessionLens.importHar',
  ExportHar = 'sessionLens.exportHar',
  ClearSession = 'sessionLens.clearSession',
  DecodeToken = 'sessionLens.decodeToken',
  VerifyToken = 'sessionLens.verifyToken',
  ForgetKeys = 'sessionLens.forgetKeys',
  ScanWorkspace = 'sessionLens.scanWorkspace',
  GoToCode = 'sessionLens.goToCode',
  ShowRuleDocs = 'sessionLens.showRuleDocs',
  CopyAsCurl = 'sessionLens.copyAsCurl',
  CopyCookiesTxt = 'sessionLens.copyCookiesTxt',
  VerifyLogout = 'sessionLens.verifyLogout',
  VerifyExpiry = 'sessionLens.verifyExpiry',
  VerifyUnissued = 'sessionLens.verifyUnissued',
  VerifyFixation = 'sessionLens.verifyFixation',
  ExpireCookieNow = 'sessionLens.expireCookieNow',
  DropCredential = 'sessionLens.dropCredential',
  ReplaceCredential = 'sessionLens.replaceCredential',
  TamperJwt = 'sessionLens.tamperJwt',
  ShortenCookieLifetime = 'sessionLens.shortenCookieLifetime',
  TurnOffRules = 'sessionLens.turnOffRules',
  ToggleKeepAlive = 'sessionLens.toggleKeepAlive',
  RefreshOAuthToken = 'sessionLens.refreshOAuthToken',
}

/** The Session webview view. */
export const SESSION_VIEW_ID = 'sessionLens.session';
