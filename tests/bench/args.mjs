// What every benchmark script reads from its command line and environment: `--name value`
// options, and the Python that runs the native side (DICOMFORGE_PYTHON, default the venv's).
import { execFileSync } from "node:child_process";

/** The command line after the script. */
export const args = process.argv.slice(2);

/** The value after `--name` on the command line, else *fallback*. */
export const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);

export const PYTHON = process.env.DICOMFORGE_PYTHON ?? ".venv/bin/python";

/** Python *code* (with *rest* as its argv) run natively with py/ importable; its stdout. */
export const runPython = (code, ...rest) =>
  execFileSync(PYTHON, ["-c", code, ...rest], { encoding: "utf8", env: { ...process.env, PYTHONPATH: "py" }, maxBuffer: 1 << 26 });
