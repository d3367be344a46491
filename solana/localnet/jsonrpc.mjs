// JSON-RPC 2.0 framing with a validator's error codes.

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
// Solana's custom server errors (rpc_custom_error.rs).
export const SEND_TRANSACTION_PREFLIGHT_FAILURE = -32002;
export const SIGNATURE_VERIFICATION_FAILURE = -32003;
export const UNSUPPORTED_TRANSACTION_VERSION = -32015;

export class RpcError extends Error {
  constructor(code, message, data) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/**
 * Handles one request body (a call or a batch) and returns the response
 * text, or "" when there is nothing to answer (notifications only).
 * @param {string} body
 * @param {(method: string, params: any[]) => any} call
 */
export function handle(body, call) {
  let req;
  try {
    req = JSON.parse(body);
  } catch {
    return stringify(errorResponse(null, new RpcError(PARSE_ERROR, "Parse error")));
  }
  if (Array.isArray(req)) {
    if (req.length === 0) return stringify(errorResponse(null, new RpcError(INVALID_REQUEST, "Invalid request")));
    const out = req.map((r) => one(r, call)).filter((r) => r !== null);
    return out.length ? stringify(out) : "";
  }
  const res = one(req, call);
  return res === null ? "" : stringify(res);
}

function one(req, call) {
  if (req === null || typeof req !== "object" || req.jsonrpc !== "2.0" || typeof req.method !== "string") {
    return errorResponse(req?.id ?? null, new RpcError(INVALID_REQUEST, "Invalid request"));
  }
  const params = req.params === undefined || req.params === null ? [] : req.params;
  let result;
  try {
    if (!Array.isArray(params)) throw new RpcError(INVALID_PARAMS, "Invalid params: expected an array");
    result = call(req.method, params);
  } catch (e) {
    if (!("id" in req)) return null;
    return errorResponse(req.id, e instanceof RpcError ? e : new RpcError(INTERNAL_ERROR, `Internal error: ${e.message}`));
  }
  if (!("id" in req)) return null;
  return { jsonrpc: "2.0", result, id: req.id };
}

function errorResponse(id, e) {
  const error = { code: e.code, message: e.message };
  if (e.data !== undefined) error.data = e.data;
  return { jsonrpc: "2.0", error, id };
}

const BIGINT_MARK = "\u0000bigint:";
const BIGINT_RE = /"\\u0000bigint:(\d+)"/g;

/** JSON text in which BigInt values are written as plain (u64) numbers. */
export function stringify(value) {
  const text = JSON.stringify(value, (_, v) => (typeof v === "bigint" ? BIGINT_MARK + v.toString() : v));
  return text.replace(BIGINT_RE, "$1");
}
