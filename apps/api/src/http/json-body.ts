import type { FastifyReply } from 'fastify';

/**
 * Bodies of answers the read models' result cache hands out: it gives every request it serves
 * while no row changed the same object, so that object is serialised (and encoded to UTF-8) once,
 * not once per request. Keyed weakly by the object, so a body lives exactly as long as the cache
 * keeps its result. Only for objects nobody changes after they were first sent.
 */
const bodies = new WeakMap<object, Buffer>();

/** `value` as the JSON body Fastify would send for it (the same bytes and content type), from `bodies` when this object was sent before. */
export function cachedJson(reply: FastifyReply, value: object): Buffer {
  let body = bodies.get(value);
  if (body === undefined) {
    body = Buffer.from(JSON.stringify(value), 'utf8');
    bodies.set(value, body);
  }
  void reply.type('application/json; charset=utf-8');
  return body;
}
