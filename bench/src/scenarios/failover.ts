import type { BenchOptions, ScenarioResult } from '../lib/context.js';

export const failoverScenario = async (_size: unknown, _options: BenchOptions): Promise<ScenarioResult> => {
  throw new Error('not written yet');
};
