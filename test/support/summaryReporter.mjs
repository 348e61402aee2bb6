// node --test reporter that prints only the plain closing line "N passed, N failed" (paired with `spec`).
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    // Count leaf tests only: a suite or a test with subtests reports its own children.
    if (event.type === 'test:pass' && (event.data.skip || event.data.todo)) skipped++;
    else if (event.type === 'test:pass' && event.data.details?.type !== 'suite') passed++;
    if (event.type === 'test:fail' && event.data.details?.type !== 'suite') failed++;
  }
  yield `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
