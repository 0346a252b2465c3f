// What each part of the reliability suite reports to scripts/reliability.ts, which prints the figures,
// scans every transcript, written file and child-process argv for the secret values used, and fails when
// a figure that must be zero is not.

export interface Figure {
  label: string;
  value: number | string;
  /** The figure must be 0 (crashes, stack traces, files changed…): the run fails otherwise. */
  zero?: boolean;
}

export interface Transcript {
  /** What was run, for the failure report (never a secret). */
  what: string;
  stdout: string;
  stderr: string;
}

export interface SuiteResult {
  name: string;
  figures: Figure[];
  /** A markdown table printed under the figures (e.g. the provider × fault matrix). */
  table?: string;
  /** Every child's output: scanned for the secrets. */
  transcripts: Transcript[];
  /** Non-secret files written by the runs (.env.example, render.yaml, docker-compose.yml, migrations, prod-ready.json…). */
  files: { path: string; text: string }[];
  /** The secret values the suite used (passwords, keys, tokens). */
  secrets: string[];
  /** One line per problem found (also counted in a `zero` figure). */
  failures: string[];
}
