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
  OpenBrowserWithCapture = 'sessionLens.openBrowserWithCapture',
  AttachToBrowser = 'sessionLens.attachToBrowser',
  CaptureDebugSession = 'sessionLens.captureDebugSession',
  StopBrowserCapture = 'sessionLens.stopBrowserCapture',
}

/** The Session webview view. */
export const SESSION_VIEW_ID = 'sessionLens.session';
