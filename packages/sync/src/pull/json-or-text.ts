/**
 * A NATS message's JSON, or its text when it is not JSON: the schema it is checked with then names
 * the problem, the same way for every malformed value.
 */
export const jsonOrText = (message: { json<T>(): T; string(): string }): unknown => {
  try {
    return message.json<unknown>();
  } catch {
    return message.string();
  }
};
