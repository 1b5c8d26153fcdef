// Runs the host test suite named by SESSION_LENS_TEST_SUITE inside this extension host and
// writes the outcome to SESSION_LENS_TEST_RESULTS. code-server passes its environment to the
// extension host, which is how the launcher hands over both paths.
const fs = require('node:fs');

function activate() {
  const suite = process.env.SESSION_LENS_TEST_SUITE;
  const results = process.env.SESSION_LENS_TEST_RESULTS;
  if (!suite || !results) return;
  // Only the first window runs the suite; a reload or a second window must not run it again.
  let claim;
  try {
    claim = fs.openSync(`${results}.claim`, 'wx');
  } catch {
    return;
  }
  fs.closeSync(claim);
  const write = (outcome) => fs.writeFileSync(results, JSON.stringify(outcome));
  setTimeout(() => {
    Promise.resolve()
      .then(() => require(suite).run())
      .then(
        (summary) => write({ done: true, ok: true, ...summary }),
        (err) => write({ done: true, ok: false, error: String((err && err.stack) || err) }),
      );
  }, 0);
}

function deactivate() {}

module.exports = { activate, deactivate };
