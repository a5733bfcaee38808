// Publishing to JetStream without nats.js's request per message: store nodes' outboxes and the
// hub's KV projections both publish thousands of messages a second through it.
export { type OutgoingMessage, PubAckInbox, type PubAckResult, pubAckOf } from './pub-ack-inbox.js';
