// The protobuf wire format of the few messages the dashboard streams, read into the shape
// protobuf's JSON mapping gives them (camelCase names, enum names, RFC 3339 times), so that
// the rest of the page reads one shape whichever encoding came. Binary is what the server
// keeps encoded per toy: a third of the bytes of JSON, and no JSON to write per toy.

const STATUS = ["UNSPECIFIED", "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "ERROR"].map(
  (name) => `MANUFACTURE_STATUS_${name}`,
);
const EVENT = ["UNSPECIFIED", "ADDED", "MODIFIED", "DELETED", "SYNCED"].map(
  (name) => `WATCH_EVENT_TYPE_${name}`,
);

// field number: [JSON name, kind, schema of a message field, repeated]
const TIMESTAMP = { 1: ["seconds", "varint"], 2: ["nanos", "varint"] };
const FAILURE = {
  1: ["displayName", "string"],
  2: ["message", "string"],
  3: ["templateName", "string"],
  4: ["phase", "string"],
  5: ["podName", "string"],
  6: ["finishedTime", "time"],
};
const RUN = {
  1: ["name", "string"],
  2: ["namespace", "string"],
  3: ["uid", "string"],
  4: ["creationTime", "time"],
  5: ["phase", "string"],
  6: ["startedTime", "time"],
  7: ["finishedTime", "time"],
  8: ["message", "string"],
  9: ["failures", "message", FAILURE, true],
  10: ["unitsProduced", "varint"],
};
const TOY = {
  1: ["id", "string"],
  2: ["name", "string"],
  3: ["manufactureTime", "time"],
  4: ["manufacturor", "string"],
  5: ["designTime", "time"],
  6: ["designer", "string"],
  7: ["numberManufactured", "varint"],
  8: ["status", "enum", STATUS],
  9: ["createTime", "time"],
  10: ["updateTime", "time"],
  11: ["lastRun", "message", RUN],
};
export const WATCH_RESPONSE = {
  1: ["type", "enum", EVENT],
  2: ["toy", "message", TOY],
  3: ["resumeToken", "string"],
};

const text = new TextDecoder();

export function decode(bytes, schema, start = 0, end = bytes.length) {
  const out = {};
  let at = start;
  const varint = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (at < end) {
    const key = varint();
    const field = schema[Math.floor(key / 8)];
    const wire = key & 7;
    if (wire === 0) {
      const value = varint();
      if (field) out[field[0]] = field[1] === "enum" ? field[2][value] || String(value) : value;
    } else if (wire === 2) {
      const length = varint();
      const body = [at, at + length];
      at += length;
      if (!field) continue;
      const [name, kind, inner, repeated] = field;
      let value;
      if (kind === "string") value = text.decode(bytes.subarray(...body));
      else if (kind === "time") value = isoTime(decode(bytes, TIMESTAMP, ...body));
      else value = decode(bytes, inner, ...body);
      if (repeated) (out[name] ||= []).push(value);
      else out[name] = value;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`wire type ${wire} in a message the dashboard reads`);
  }
  return out;
}

function isoTime({ seconds = 0, nanos = 0 }) {
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString();
}

// A WatchToysRequest: status (1), id (2), resume_token (3), send_initial (4).
export function watchRequest({ resumeToken = "", sendInitial = false }) {
  const parts = [];
  if (resumeToken) {
    const token = new TextEncoder().encode(resumeToken);
    parts.push(0x1a, ...varintBytes(token.length), ...token);
  }
  if (sendInitial) parts.push(0x20, 1);
  return new Uint8Array(parts);
}

function varintBytes(value) {
  const out = [];
  while (value > 0x7f) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}
