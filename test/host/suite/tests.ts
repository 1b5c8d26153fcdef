// Every host test file, in order. Add new files here.
import './activation.test';
import './capture.test';
import './tokens.test';
import './lint.test';
import './trace.test';
import './replay.test';
import './probe.test';
import './tokenPanel.test';
import './inFlightRules.test';
import './browserCapture.test';
import './panelScale.test';
