// The Solana JSON-RPC methods, in the shapes a validator answers with.
import { MEMO_PROGRAMS } from "./chain.mjs";
import {
  INVALID_PARAMS,
  INVALID_REQUEST,
  METHOD_NOT_FOUND,
  RpcError,
  UNSUPPORTED_TRANSACTION_VERSION,
} from "./jsonrpc.mjs";
import { PACKET_DATA_SIZE, fromBase58, parseTransaction, toBase58 } from "./wire.mjs";

// The runtime crates litesvm 1.4.1 is built from.
export const SOLANA_CORE_VERSION = "4.2.1";
const U64_MAX = 18446744073709551615n;
const MAX_SIGNATURE_STATUSES = 256;
const MAX_SIGNATURES_FOR_ADDRESS = 1000;
const MAX_BASE58_SIZE = 1683; // base58 text of a PACKET_DATA_SIZE transaction
const MAX_BASE64_SIZE = 1644;
const MAX_BASE58_ACCOUNT_DATA = 128;
const SLOTS_PER_EPOCH = 432000;
const TX_TYPE = "solana_transaction::versioned::VersionedTransaction";

/** Returns call(method, params) answering every supported method against chain. */
export function methods(chain) {
  const ctx = () => ({ slot: chain.slot, apiVersion: SOLANA_CORE_VERSION });
  const table = {
    getHealth: () => "ok",
    getVersion: () => ({ "solana-core": SOLANA_CORE_VERSION, "feature-set": 0 }),
    getGenesisHash: () => chain.genesisHash,
    getSlot: () => chain.slot,
    getBlockHeight: () => chain.blockHeight,
    getTransactionCount: () => chain.transactionCount,
    getEpochInfo: () => ({
      absoluteSlot: chain.slot,
      blockHeight: chain.blockHeight,
      epoch: Math.floor(chain.slot / SLOTS_PER_EPOCH),
      slotIndex: chain.slot % SLOTS_PER_EPOCH,
      slotsInEpoch: SLOTS_PER_EPOCH,
      transactionCount: chain.transactionCount,
    }),
    getLatestBlockhash: () => ({ context: ctx(), value: chain.latestBlockhash() }),
    isBlockhashValid: ([hash]) => ({ context: ctx(), value: chain.isBlockhashValid(hashParam(hash)) }),
    getFeeForMessage: ([message]) => ({ context: ctx(), value: feeForMessage(chain, message) }),
    getMinimumBalanceForRentExemption: ([size]) =>
      chain.svm.minimumBalanceForRentExemption(BigInt(uintParam(size ?? 0, "data length"))),
    getBalance: ([address]) => ({ context: ctx(), value: chain.svm.getBalance(pubkeyParam(address)) ?? 0n }),
    getAccountInfo: ([address, config]) => ({
      context: ctx(),
      value: accountJSON(chain, pubkeyParam(address), configParam(config)),
    }),
    getMultipleAccounts: ([addresses, config]) => ({
      context: ctx(),
      value: arrayParam(addresses, 100).map((a) => accountJSON(chain, pubkeyParam(a), configParam(config))),
    }),
    getTokenAccountBalance: ([address]) => ({ context: ctx(), value: tokenAccountBalance(chain, pubkeyParam(address)) }),
    requestAirdrop: ([address, lamports]) => chain.airdrop(pubkeyParam(address), uintParam(lamports, "lamports")),
    sendTransaction: ([encoded, config]) => sendTransaction(chain, encoded, configParam(config)),
    simulateTransaction: ([encoded, config]) => ({ context: ctx(), value: simulateTransaction(chain, encoded, configParam(config)) }),
    getSignatureStatuses: ([signatures, config]) => ({
      context: ctx(),
      value: arrayParam(signatures, MAX_SIGNATURE_STATUSES).map((s) =>
        chain.status(signatureParam(s), configParam(config).searchTransactionHistory === true),
      ),
    }),
    getTransaction: ([signature, config]) => getTransaction(chain, signatureParam(signature), transactionConfig(config)),
    getSignaturesForAddress: ([address, config]) => signaturesForAddress(chain, pubkeyParam(address), configParam(config)),
  };
  return (method, params) => {
    const fn = table[method];
    if (!fn) throw new RpcError(METHOD_NOT_FOUND, "Method not found");
    return fn(params);
  };
}

// --- params ---------------------------------------------------------------

function invalid(message) {
  return new RpcError(INVALID_PARAMS, message);
}

function bytesOfBase58(value, length) {
  if (typeof value !== "string") throw invalid("Invalid param: Invalid");
  let bytes;
  try {
    bytes = fromBase58(value);
  } catch {
    throw invalid("Invalid param: Invalid");
  }
  if (bytes.length !== length) throw invalid("Invalid param: WrongSize");
  return value;
}

const pubkeyParam = (v) => bytesOfBase58(v, 32);
const hashParam = (v) => bytesOfBase58(v, 32);
const signatureParam = (v) => bytesOfBase58(v, 64);

function uintParam(v, name) {
  if (!Number.isSafeInteger(v) || v < 0) throw invalid(`Invalid params: ${name} must be an unsigned integer`);
  return v;
}

function arrayParam(v, max) {
  if (!Array.isArray(v)) throw invalid("Invalid params: expected an array");
  if (v.length > max) throw invalid(`Too many inputs provided; max ${max}`);
  return v;
}

function configParam(v) {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw invalid("Invalid params: expected a configuration object");
  return v;
}

// getTransaction also takes a bare encoding string as its second parameter.
function transactionConfig(v) {
  return typeof v === "string" ? { encoding: v } : configParam(v);
}

/** Decodes a sendTransaction/simulateTransaction payload, enforcing the packet limit. */
function wireBytes(encoded, encoding = "base58") {
  if (typeof encoded !== "string") throw invalid("Invalid params: expected an encoded transaction");
  if (encoding === "base58") {
    if (encoded.length > MAX_BASE58_SIZE) throw tooLarge("base58 encoded", encoded.length, MAX_BASE58_SIZE);
    try {
      return checkPacketSize(fromBase58(encoded));
    } catch (e) {
      if (e instanceof RpcError) throw e;
      throw invalid(`invalid base58 encoding: ${e.message}`);
    }
  }
  if (encoding === "base64") {
    if (encoded.length > MAX_BASE64_SIZE) throw tooLarge("base64 encoded", encoded.length, MAX_BASE64_SIZE);
    if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw invalid("invalid base64 encoding: InvalidPadding");
    return checkPacketSize(new Uint8Array(Buffer.from(encoded, "base64")));
  }
  throw invalid(`Invalid params: unsupported encoding: ${encoding}. Supported encodings: base58, base64`);
}

function tooLarge(what, len, max) {
  return invalid(`${what} ${TX_TYPE} too large: ${len} bytes (max: encoded/raw ${max}/${PACKET_DATA_SIZE})`);
}

function checkPacketSize(bytes) {
  if (bytes.length > PACKET_DATA_SIZE) {
    throw invalid(`decoded ${TX_TYPE} too large: ${bytes.length} bytes (max: ${PACKET_DATA_SIZE} bytes)`);
  }
  return bytes;
}

// --- transactions -----------------------------------------------------------

function sendTransaction(chain, encoded, config) {
  const bytes = wireBytes(encoded, config.encoding ?? "base58");
  return chain.send(bytes, { skipPreflight: config.skipPreflight === true });
}

function simulateTransaction(chain, encoded, config) {
  const bytes = wireBytes(encoded, config.encoding ?? "base58");
  const sim = chain.simulate(bytes, {
    sigVerify: config.sigVerify === true,
    replaceRecentBlockhash: config.replaceRecentBlockhash === true,
  });
  return {
    err: sim.err,
    logs: sim.logs,
    accounts: null,
    unitsConsumed: sim.unitsConsumed,
    returnData: returnDataJSON(sim.returnData),
    innerInstructions: null,
    replacementBlockhash: sim.replacementBlockhash,
  };
}

function feeForMessage(chain, message) {
  if (typeof message !== "string") throw invalid("Invalid params: expected a base64 message");
  const bytes = new Uint8Array(Buffer.from(message, "base64"));
  let parsed;
  try {
    parsed = parseTransaction(Uint8Array.from([0, ...bytes]));
  } catch (e) {
    throw invalid(`invalid message: ${e.message}`);
  }
  return chain.isBlockhashValid(parsed.recentBlockhash) ? chain.feeForMessage(bytes) : null;
}

function getTransaction(chain, signature, config) {
  const rec = chain.history.get(signature);
  if (!rec) return null;
  const maxVersion = config.maxSupportedTransactionVersion;
  if (rec.tx.version !== "legacy" && (maxVersion === undefined || maxVersion === null || maxVersion < rec.tx.version)) {
    throw new RpcError(
      UNSUPPORTED_TRANSACTION_VERSION,
      `Transaction version (${rec.tx.version}) is not supported by the requesting client. ` +
        `Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": ${rec.tx.version}`,
    );
  }
  const out = {
    slot: rec.slot,
    blockTime: rec.blockTime,
    transaction: transactionJSON(rec, config.encoding ?? "json"),
    meta: metaJSON(rec),
  };
  if (maxVersion !== undefined && maxVersion !== null) out.version = rec.tx.version;
  return out;
}

function transactionJSON(rec, encoding) {
  switch (encoding) {
    case "json":
      return { signatures: rec.tx.signatures, message: messageJSON(rec.tx) };
    case "base64":
      return [Buffer.from(rec.bytes).toString("base64"), "base64"];
    case "base58":
      return [toBase58(rec.bytes), "base58"];
    default:
      throw invalid(`Invalid params: encoding ${encoding} is not supported here; use json, base64 or base58`);
  }
}

function messageJSON(tx) {
  const message = {
    accountKeys: tx.accountKeys,
    header: tx.header,
    recentBlockhash: tx.recentBlockhash,
    instructions: tx.instructions.map((ix) => ({
      programIdIndex: ix.programIdIndex,
      accounts: ix.accounts,
      data: toBase58(ix.data),
      stackHeight: null,
    })),
  };
  if (tx.version !== "legacy") message.addressTableLookups = tx.addressTableLookups;
  return message;
}

function metaJSON(rec) {
  const meta = {
    err: rec.err,
    status: rec.err === null ? { Ok: null } : { Err: rec.err },
    fee: rec.fee,
    preBalances: rec.pre.lamports,
    postBalances: rec.post.lamports,
    innerInstructions: innerInstructionsJSON(rec.innerInstructions),
    logMessages: rec.logs,
    preTokenBalances: rec.pre.tokens.map(tokenBalanceJSON),
    postTokenBalances: rec.post.tokens.map(tokenBalanceJSON),
    rewards: [],
    loadedAddresses: rec.loadedAddresses,
    computeUnitsConsumed: rec.computeUnitsConsumed,
  };
  const returnData = returnDataJSON(rec.returnData);
  if (returnData) meta.returnData = returnData;
  return meta;
}

function innerInstructionsJSON(perInstruction) {
  const out = [];
  perInstruction.forEach((list, index) => {
    if (list.length === 0) return;
    out.push({
      index,
      instructions: list.map((inner) => {
        const ix = inner.instruction();
        return {
          programIdIndex: ix.programIdIndex(),
          accounts: Array.from(ix.accounts()),
          data: toBase58(ix.data()),
          stackHeight: inner.stackHeight(),
        };
      }),
    });
  });
  return out;
}

function returnDataJSON(rd) {
  if (!rd || rd.data().length === 0) return null;
  return { programId: toBase58(rd.programId()), data: [Buffer.from(rd.data()).toString("base64"), "base64"] };
}

function signaturesForAddress(chain, address, config) {
  const limit = config.limit ?? MAX_SIGNATURES_FOR_ADDRESS;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_SIGNATURES_FOR_ADDRESS) {
    throw invalid(`Invalid limit; max ${MAX_SIGNATURES_FOR_ADDRESS}`);
  }
  const before = config.before ? signatureParam(config.before) : null;
  const until = config.until ? signatureParam(config.until) : null;
  return chain.signaturesFor(address, { limit, before, until }).map((rec) => ({
    signature: rec.signature,
    slot: rec.slot,
    err: rec.err,
    memo: memoOf(rec.tx),
    blockTime: rec.blockTime,
    confirmationStatus: "finalized",
  }));
}

// Memo text as a validator indexes it: "[len] text" per memo instruction, joined by "; ".
function memoOf(tx) {
  const memos = tx.instructions
    .filter((ix) => MEMO_PROGRAMS.includes(tx.accountKeys[ix.programIdIndex]))
    .map((ix) => `[${ix.data.length}] ${utf8OrUnparseable(ix.data)}`);
  return memos.length ? memos.join("; ") : null;
}

function utf8OrUnparseable(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return "(unparseable)";
  }
}

// --- accounts ---------------------------------------------------------------

function accountJSON(chain, address, config) {
  const account = chain.svm.getAccount(address);
  if (!account.exists) return null;
  return {
    data: encodeData(sliceData(account.data, config.dataSlice), config.encoding ?? "binary"),
    executable: account.executable,
    lamports: account.lamports,
    owner: account.programAddress,
    rentEpoch: U64_MAX,
    space: account.data.length,
  };
}

function sliceData(data, slice) {
  if (!slice) return data;
  const offset = slice.offset ?? 0;
  return data.subarray(offset, offset + (slice.length ?? data.length));
}

// jsonParsed falls back to base64, as a validator does for data it has no parser for.
function encodeData(data, encoding) {
  switch (encoding) {
    case "base64":
    case "jsonParsed":
      return [Buffer.from(data).toString("base64"), "base64"];
    case "base58":
    case "binary":
      if (data.length > MAX_BASE58_ACCOUNT_DATA) {
        throw new RpcError(
          INVALID_REQUEST,
          `Encoded binary (base 58) data should be less than ${MAX_BASE58_ACCOUNT_DATA} bytes, please use Base64 encoding.`,
        );
      }
      return encoding === "binary" ? toBase58(data) : [toBase58(data), "base58"];
    default:
      throw invalid(`Invalid params: unsupported encoding ${encoding}`);
  }
}

function tokenAccountBalance(chain, address) {
  if (!chain.svm.getAccount(address).exists) throw invalid("Invalid param: could not find account");
  const balance = chain.tokenBalance(address);
  if (!balance) throw invalid("Invalid param: not a Token account");
  return uiTokenAmount(balance.amount, balance.decimals);
}

function tokenBalanceJSON(b) {
  return {
    accountIndex: b.accountIndex,
    mint: b.mint,
    owner: b.owner,
    programId: b.programId,
    uiTokenAmount: uiTokenAmount(b.amount, b.decimals),
  };
}

/** The validator's UiTokenAmount: exact string amounts plus a float. */
export function uiTokenAmount(amount, decimals) {
  const digits = amount.toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals).replace(/0+$/, "");
  const uiAmountString = frac ? `${whole}.${frac}` : whole;
  return { amount: amount.toString(), decimals, uiAmount: Number(uiAmountString), uiAmountString };
}
