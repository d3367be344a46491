// Solana wire format: the parts of a serialized transaction the RPC layer
// needs to read (signatures, header, keys, blockhash, instructions, lookups).
import { getBase58Decoder, getBase58Encoder } from "@solana/kit";

// PACKET_DATA_SIZE: the largest transaction a validator accepts (IPv6 MTU
// minus headers). litesvm itself has no such limit.
export const PACKET_DATA_SIZE = 1232;

const b58dec = getBase58Decoder();
const b58enc = getBase58Encoder();

/** base58 text of bytes. */
export function toBase58(bytes) {
  return b58dec.decode(bytes);
}

/** bytes of base58 text; throws on bad input. */
export function fromBase58(text) {
  return b58enc.encode(text);
}

class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.pos = 0;
  }

  take(n) {
    if (this.pos + n > this.bytes.length) {
      throw new Error(`unexpected end of transaction at byte ${this.pos}`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8() {
    return this.take(1)[0];
  }

  // compact-u16 ("shortvec"): 7 bits per byte, at most 3 bytes.
  shortvec() {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const b = this.u8();
      value |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return value;
    }
    throw new Error("compact-u16 longer than 3 bytes");
  }

  list(readOne) {
    const n = this.shortvec();
    const out = [];
    for (let i = 0; i < n; i++) out.push(readOne());
    return out;
  }
}

/**
 * Parses a serialized (legacy or v0) transaction.
 * Returns { signatures: [base58], version: "legacy"|0, header, accountKeys: [base58],
 * recentBlockhash, instructions: [{programIdIndex, accounts, data: Uint8Array}],
 * blockhashOffset (where the blockhash starts in bytes),
 * addressTableLookups: [{accountKey, writableIndexes, readonlyIndexes}], messageBytes }.
 */
export function parseTransaction(bytes) {
  const r = new Reader(bytes);
  const signatures = r.list(() => toBase58(r.take(64)));
  const messageStart = r.pos;
  let version = "legacy";
  if (bytes[r.pos] & 0x80) {
    version = r.u8() & 0x7f;
    if (version !== 0) throw new Error(`unsupported transaction version ${version}`);
  }
  const header = {
    numRequiredSignatures: r.u8(),
    numReadonlySignedAccounts: r.u8(),
    numReadonlyUnsignedAccounts: r.u8(),
  };
  const accountKeys = r.list(() => toBase58(r.take(32)));
  const blockhashOffset = r.pos;
  const recentBlockhash = toBase58(r.take(32));
  const instructions = r.list(() => ({
    programIdIndex: r.u8(),
    accounts: Array.from(r.list(() => r.u8())),
    data: r.take(r.shortvec()),
  }));
  const addressTableLookups =
    version === "legacy"
      ? []
      : r.list(() => ({
          accountKey: toBase58(r.take(32)),
          writableIndexes: r.list(() => r.u8()),
          readonlyIndexes: r.list(() => r.u8()),
        }));
  const messageBytes = bytes.subarray(messageStart, r.pos);
  return {
    signatures,
    version,
    header,
    accountKeys,
    recentBlockhash,
    blockhashOffset,
    instructions,
    addressTableLookups,
    messageBytes,
  };
}
