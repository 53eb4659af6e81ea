// ToyService over Connect: unary calls in JSON; WatchToys as a binary Connect stream (its
// messages read by proto.js), envelope by envelope.

import { decode, WATCH_RESPONSE, watchRequest } from "./proto.js";

const SERVICE = "/toys.v1.ToyService/";
const TOKEN_KEY = "toys.token";

export class ApiError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value.trim());
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

function headers(contentType) {
  const found = { "content-type": contentType, "connect-protocol-version": "1" };
  if (token()) found.authorization = `Bearer ${token()}`;
  return found;
}

async function failure(response) {
  const body = await response.json().catch(() => ({}));
  return new ApiError(body.code || `http_${response.status}`, body.message || response.statusText);
}

export async function call(method, message) {
  const response = await fetch(SERVICE + method, {
    method: "POST",
    headers: headers("application/json"),
    body: JSON.stringify(message),
    credentials: "omit",
    cache: "no-store",
  });
  if (!response.ok) throw await failure(response);
  return response.json();
}

function envelope(payload) {
  const framed = new Uint8Array(5 + payload.length);
  new DataView(framed.buffer).setUint32(1, payload.length);
  framed.set(payload, 5);
  return framed;
}

// Each WatchToysResponse of a watch; throws ApiError with the stream's end error, if any.
export async function* watch(request, signal) {
  const response = await fetch(`${SERVICE}WatchToys`, {
    method: "POST",
    headers: headers("application/connect+proto"),
    body: envelope(watchRequest(request)),
    credentials: "omit",
    cache: "no-store",
    signal,
  });
  if (!response.ok) throw await failure(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = new Uint8Array(0);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const joined = new Uint8Array(buffer.length + value.length);
    joined.set(buffer);
    joined.set(value, buffer.length);
    buffer = joined;
    let offset = 0;
    while (buffer.length - offset >= 5) {
      const length = new DataView(buffer.buffer, buffer.byteOffset + offset).getUint32(1);
      if (buffer.length - offset < 5 + length) break;
      const flags = buffer[offset];
      const start = offset + 5;
      offset = start + length;
      if (flags & 0x02) {
        // The end of a Connect stream is JSON, whatever the messages' encoding.
        const end = JSON.parse(decoder.decode(buffer.subarray(start, offset)));
        if (end.error) throw new ApiError(end.error.code, end.error.message);
        return;
      }
      yield decode(buffer, WATCH_RESPONSE, start, offset);
    }
    buffer = buffer.slice(offset);
  }
  throw new ApiError("unavailable", "the connection ended before the stream did");
}
