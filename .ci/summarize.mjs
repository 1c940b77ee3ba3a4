// Sums the vitest JSON reports of every workspace package that has a `test` script and prints
// "N passed, N failed[, N skipped]". A package whose report is missing counts as one failure: its tests
// did not run to completion, and CI must not read that as success.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
// The names and first message lines of failed tests, printed beside the summary: CI often keeps only the tail of the log.
const failures = [];
for (const group of ['packages', 'apps']) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const dir = join(group, name);
    const pkgPath = join(dir, 'package.json');
    if (!existsSync(pkgPath)) continue;
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    if (!pkg.scripts?.test) continue;
    const reportPath = join(dir, 'test-results', 'vitest.json');
    if (!existsSync(reportPath)) {
      missing.push(pkg.name);
      failed += 1;
      continue;
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    for (const file of report.testResults ?? []) {
      // A suite that failed to load (syntax error, import error) has no failed tests but is still a failure.
      if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
        failed += 1;
        failures.push(`${pkg.name} ${file.name}: ${firstLine(file.message)}`);
      }
      for (const test of file.assertionResults ?? []) {
        if (test.status !== 'failed') continue;
        failures.push(`${pkg.name} ${test.fullName}: ${firstLines(test.failureMessages)}`);
      }
    }
  }
}

function firstLine(text) {
  return String(text ?? '')
    .split('\n')[0]
    .slice(0, 300);
}

// A failure message's first lines (the assertion and the problems a test listed), capped.
function firstLines(messages) {
  return String(messages?.[0] ?? '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s+at /.test(line))
    .slice(0, 8)
    .join('\n    ')
    .slice(0, 1_500);
}

for (const failure of failures) console.log(`FAILED ${failure}`);
if (missing.length > 0) console.log(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
