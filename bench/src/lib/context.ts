import { round } from './stats.js';

export interface BenchOptions {
  readonly quick: boolean;
  readonly seed: string;
  /** Run the hub child processes with --cpu-prof and summarise the profiles. */
  readonly profile: boolean;
  /** Where profiles and temporary files go. */
  readonly workDir: string;
  readonly log: (line: string) => void;
}

export interface Figure {
  readonly label: string;
  readonly value: number | string;
  readonly unit?: string;
}

export interface TargetCheck {
  readonly label: string;
  readonly value: number;
  readonly op: '<' | '<=' | '>=' | '==';
  readonly threshold: number;
  readonly unit?: string;
  readonly met: boolean;
}

export const check = (
  label: string,
  value: number,
  op: TargetCheck['op'],
  threshold: number,
  unit?: string,
): TargetCheck => {
  const met =
    Number.isFinite(value) &&
    (op === '<'
      ? value < threshold
      : op === '<='
        ? value <= threshold
        : op === '>='
          ? value >= threshold
          : value === threshold);
  return { label, value: round(value), op, threshold, ...(unit ? { unit } : {}), met };
};

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  /** The measured figures, in the order the summary shows them. */
  readonly figures: Figure[];
  readonly targets: TargetCheck[];
  /** How it was measured, and anything a reader needs to interpret the figures. */
  readonly notes: string[];
  /** Raw figures for the JSON file. */
  readonly data: Record<string, unknown>;
  durationMs: number;
  error?: string;
}

export const result = (id: string, title: string): ScenarioResult => ({
  id,
  title,
  figures: [],
  targets: [],
  notes: [],
  data: {},
  durationMs: 0,
});

export const fig = (label: string, value: number | string, unit?: string): Figure => ({
  label,
  value: typeof value === 'number' ? round(value) : value,
  ...(unit ? { unit } : {}),
});
