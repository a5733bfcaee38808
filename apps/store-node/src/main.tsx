import './zod-jitless.js';
import { render } from 'preact';
import { App } from './app/App.js';

const root = document.getElementById('app');
if (root) render(<App />, root);
