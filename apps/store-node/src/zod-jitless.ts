import { config } from 'zod';

// Zod probes `new Function` to compile faster validators; the page's CSP forbids eval. Imported
// first by main.tsx, so the setting is in place before any module defines or runs a schema.
config({ jitless: true });
