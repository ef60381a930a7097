// The app's own timing marks (web/main.js): the page got the dropped files
// ("dicomforge-inputs"), showed what they are ("dicomforge-describe-done"), a form was
// submitted ("dicomforge-<job>-start") and its zip offered ("dicomforge-<job>-done").
// Times from them leave out the test driver (Playwright's setInputFiles hands 70 MB of
// files to the browser in 0.3-0.5 s, which a real drop does not) and the user's click.

/** `{described, exported}` in ms, and the worker's split of each (`describe`, `job`). */
export async function pageTimes(page, job) {
  return page.evaluate((job) => {
    const mark = (name) => performance.getEntriesByName(`dicomforge-${name}`).at(-1);
    const [inputs, described, start, done] = ["inputs", "describe-done", `${job}-start`, `${job}-done`].map(mark);
    return {
      described: Math.round(described.startTime - inputs.startTime),
      exported: Math.round(done.startTime - start.startTime),
      describe: described.detail,
      job: done.detail,
    };
  }, job);
}
