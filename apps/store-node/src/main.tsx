import './zod-jitless.js';
import { render } from 'preact';
import { App } from './app/App.js';

const root = document.getElementById('app');
if (root) render(<App />, root);

// In a browser, the service worker keeps the till opening while its web server or the network is
// down (src/sw.ts). Electron loads the app from file://, where there are none and nothing to cover.
if (location.protocol.startsWith('http') && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch((error: unknown) => {
    console.warn('service worker not registered: the till will not open offline after a reload', error);
  });
}
