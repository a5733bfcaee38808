import { pino } from 'pino';

/** Structured JSON logs; every event-related line carries `correlationId` so one sale can be followed. */
export const createLogger = (level: string) => pino({ level, base: { service: 'stocknerve-hub' } });
export type Logger = ReturnType<typeof createLogger>;
