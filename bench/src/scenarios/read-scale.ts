import type { BenchOptions, ScenarioResult } from '../lib/context.js';

export const readScaleScenario = async (_size: unknown, _options: BenchOptions): Promise<ScenarioResult> => {
  throw new Error('not written yet');
};
