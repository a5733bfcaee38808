// What a terminal needs, without Node APIs (the store node runs it in a browser).
export { credsAuth, jwtAuth, type NatsAuthOptions } from './authenticators.js';
export { createUserKey } from './trust.js';
