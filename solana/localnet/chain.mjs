// Chain turns a litesvm instance into something that behaves like a single
// validator: blocks with slots, heights and times; a queue of recent
// blockhashes that expire; a status cache and a transaction history.
//
// litesvm executes transactions against its accounts but has no blocks: it
// accepts only its single latest blockhash, keeps a short history, and takes
// transactions of any size. Those parts are done here instead.
import crypto from "node:crypto";
import { FailedTransactionMetadata, LiteSVM } from "litesvm";
import { getTransactionDecoder } from "@solana/kit";
import { fromBase58, parseTransaction, toBase58 } from "./wire.mjs";
import * as txerror from "./txerror.mjs";
import { RpcError, SEND_TRANSACTION_PREFLIGHT_FAILURE, SIGNATURE_VERIFICATION_FAILURE, INVALID_PARAMS } from "./jsonrpc.mjs";

export const SYSTEM_PROGRAM = "11111111111111111111111111111111";
export const TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
export const TOKEN_2022_PROGRAM = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
export const MEMO_PROGRAMS = ["MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo"];

// MAX_PROCESSING_AGE on mainnet: a blockhash is usable for 150 blocks.
export const DEFAULT_BLOCKHASH_LIFETIME = 150;
// How many slots the status cache answers for without searchTransactionHistory
// (MAX_RECENT_BLOCKHASHES on a validator).
const STATUS_CACHE_SLOTS = 300;
const LAMPORTS_PER_SIGNATURE = 5000n;
const FAUCET_LAMPORTS = 1_000_000_000n * 1_000_000_000n; // 1e9 SOL
const ADDRESS_LOOKUP_TABLE_META_SIZE = 56;

const decodeKitTransaction = getTransactionDecoder().decode;

export class Chain {
  /**
   * @param {object} opts
   * @param {number} [opts.blockhashLifetime] blocks a blockhash stays valid (default 150)
   * @param {() => number} [opts.now] clock in milliseconds (default Date.now)
   * @param {(msg: string) => void} [opts.log] diagnostic log
   */
  constructor({ blockhashLifetime = DEFAULT_BLOCKHASH_LIFETIME, now = Date.now, log = () => {} } = {}) {
    this.lifetime = blockhashLifetime;
    this.now = now;
    this.log = log;
    // litesvm's own blockhash check accepts only the latest hash; the queue
    // below replaces it.
    this.svm = new LiteSVM().withBlockhashCheck(false);
    this.slot = 0;
    this.blockHeight = 0;
    this.blockTime = this.unixNow();
    this.blockhashes = new Map(); // blockhash -> block height it was issued at
    this.history = new Map(); // signature -> landed transaction record
    this.byAddress = new Map(); // address -> signatures, oldest first
    this.transactionCount = 0;
    this.faucet = newFaucet(this.svm);
    this.genesisHash = this.svm.latestBlockhash();
    this.blockhashes.set(this.genesisHash, 0);
    this.syncClock();
  }

  unixNow() {
    return Math.floor(this.now() / 1000);
  }

  /** Closes the current block: next slot and height, a new blockhash. */
  produceBlock() {
    this.slot += 1;
    this.blockHeight += 1;
    this.blockTime = this.unixNow();
    this.svm.expireBlockhash();
    this.blockhashes.set(this.svm.latestBlockhash(), this.blockHeight);
    this.pruneBlockhashes();
    this.syncClock();
  }

  pruneBlockhashes() {
    for (const [hash, height] of this.blockhashes) {
      if (height + this.lifetime >= this.blockHeight) break; // insertion order = age
      this.blockhashes.delete(hash);
    }
  }

  syncClock() {
    const clock = this.svm.getClock();
    clock.slot = BigInt(this.slot);
    clock.unixTimestamp = BigInt(this.blockTime);
    this.svm.setClock(clock);
  }

  latestBlockhash() {
    const blockhash = this.svm.latestBlockhash();
    return { blockhash, lastValidBlockHeight: this.blockhashes.get(blockhash) + this.lifetime };
  }

  isBlockhashValid(blockhash) {
    const height = this.blockhashes.get(blockhash);
    return height !== undefined && this.blockHeight <= height + this.lifetime;
  }

  /**
   * sendTransaction: preflight (unless skipped), then process. Like a
   * validator, a transaction that cannot land without preflight (bad
   * signature, expired blockhash, already processed, fee not payable) is
   * dropped silently: its signature is returned and never gets a status.
   */
  send(bytes, { skipPreflight = false } = {}) {
    const tx = decodeTransaction(bytes);
    if (!skipPreflight) this.preflight(tx);
    this.land(tx);
    return tx.signatures[0];
  }

  preflight(tx) {
    if (!signaturesValid(tx)) {
      throw new RpcError(SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure");
    }
    const early = this.ageAndStatusError(tx);
    if (early) throw preflightFailure(early, [], 0n);
    const sim = this.svm.simulateTransaction(tx.kit);
    if (sim instanceof FailedTransactionMetadata) {
      const err = txerror.fromLiteSVM(sim.err());
      if (err.json === "SanitizeFailure") throw new RpcError(INVALID_PARAMS, `invalid transaction: ${err.text}`);
      throw preflightFailure(err, sim.meta().logs(), sim.meta().computeUnitsConsumed());
    }
  }

  // The checks a bank makes before executing: blockhash age, then status cache.
  ageAndStatusError(tx) {
    if (!this.isBlockhashValid(tx.recentBlockhash)) return txerror.named("BlockhashNotFound");
    if (this.history.has(tx.signatures[0])) return txerror.named("AlreadyProcessed");
    return null;
  }

  land(tx) {
    const signature = tx.signatures[0];
    const why = !signaturesValid(tx) ? "signature verification failed" : this.ageAndStatusError(tx)?.text;
    if (why) {
      this.log(`dropped ${signature}: ${why}`);
      return;
    }
    const keys = this.accountKeys(tx);
    const pre = this.balances(keys);
    const result = this.svm.sendTransaction(tx.kit);
    const failed = result instanceof FailedTransactionMetadata;
    if (failed && this.svm.getTransaction(signature) === null) {
      this.log(`dropped ${signature}: ${txerror.fromLiteSVM(result.err()).text}`);
      return;
    }
    const post = this.balances(keys);
    const meta = failed ? result.meta() : result;
    this.record(tx, keys, { pre, post, meta, err: failed ? txerror.fromLiteSVM(result.err()).json : null });
    this.produceBlock();
  }

  record(tx, keys, { pre, post, meta, err }) {
    const rec = {
      signature: tx.signatures[0],
      slot: this.slot,
      blockTime: this.blockTime,
      bytes: tx.bytes,
      tx,
      err,
      loadedAddresses: keys.loaded,
      fee: sum(pre.lamports) - sum(post.lamports),
      pre,
      post,
      logs: meta.logs(),
      computeUnitsConsumed: meta.computeUnitsConsumed(),
      innerInstructions: meta.innerInstructions(),
      returnData: meta.returnData(),
    };
    this.history.set(rec.signature, rec);
    this.transactionCount += 1;
    for (const address of new Set(keys.all)) {
      if (!this.byAddress.has(address)) this.byAddress.set(address, []);
      this.byAddress.get(address).push(rec.signature);
    }
  }

  /** Static keys plus the addresses loaded from lookup tables, in message order. */
  accountKeys(tx) {
    const loaded = { writable: [], readonly: [] };
    for (const lookup of tx.addressTableLookups) {
      const table = this.lookupTable(lookup.accountKey);
      const at = (i) => table[i] ?? lookup.accountKey; // invalid index: the runtime rejects it
      loaded.writable.push(...lookup.writableIndexes.map(at));
      loaded.readonly.push(...lookup.readonlyIndexes.map(at));
    }
    return { all: [...tx.accountKeys, ...loaded.writable, ...loaded.readonly], loaded };
  }

  lookupTable(address) {
    const account = this.svm.getAccount(address);
    if (!account.exists) return [];
    const out = [];
    for (let off = ADDRESS_LOOKUP_TABLE_META_SIZE; off + 32 <= account.data.length; off += 32) {
      out.push(toBase58(account.data.subarray(off, off + 32)));
    }
    return out;
  }

  balances(keys) {
    const lamports = [];
    const tokens = [];
    const decimals = new Map(); // mint -> decimals, read once per snapshot
    keys.all.forEach((k, accountIndex) => {
      const account = this.svm.getAccount(k);
      lamports.push(account.exists ? account.lamports : 0n);
      const balance = this.tokenState(account, decimals);
      if (balance) tokens.push({ accountIndex, ...balance });
    });
    return { lamports, tokens };
  }

  /** SPL token account state, or null if address is not an initialized token account. */
  tokenBalance(address) {
    return this.tokenState(this.svm.getAccount(address), new Map());
  }

  tokenState(account, decimals) {
    if (!account.exists || account.executable) return null;
    const programId = account.programAddress;
    if (programId !== TOKEN_PROGRAM && programId !== TOKEN_2022_PROGRAM) return null;
    const d = account.data;
    // 108: account state (0 = uninitialized); 165: Token-2022 account type (2 = account)
    if (d.length < 165 || d[108] === 0 || (d.length > 165 && d[165] !== 2)) return null;
    const mint = toBase58(d.subarray(0, 32));
    if (!decimals.has(mint)) decimals.set(mint, this.mintDecimals(mint));
    const amount = new DataView(d.buffer, d.byteOffset + 64, 8).getBigUint64(0, true);
    return { mint, owner: toBase58(d.subarray(32, 64)), programId, amount, decimals: decimals.get(mint) };
  }

  mintDecimals(mint) {
    const account = this.svm.getAccount(mint);
    return account.exists && account.data.length > 44 ? account.data[44] : 0;
  }

  /** simulateTransaction; returns { err, logs, unitsConsumed, returnData, replacementBlockhash }. */
  simulate(bytes, { sigVerify = false, replaceRecentBlockhash = false } = {}) {
    if (sigVerify && replaceRecentBlockhash) {
      throw new RpcError(INVALID_PARAMS, "sigVerify may not be used with replaceRecentBlockhash");
    }
    let tx = decodeTransaction(bytes);
    let replacement = null;
    if (replaceRecentBlockhash) {
      replacement = this.latestBlockhash();
      tx = decodeTransaction(withBlockhash(tx, replacement.blockhash));
    }
    if (sigVerify && !signaturesValid(tx)) {
      throw new RpcError(SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure");
    }
    const early = this.ageAndStatusError(tx);
    if (early) return { err: early.json, logs: [], unitsConsumed: 0n, returnData: null, replacementBlockhash: replacement };
    const sim = this.withoutSigverify(() => this.svm.simulateTransaction(tx.kit));
    const failed = sim instanceof FailedTransactionMetadata;
    const meta = sim.meta();
    return {
      err: failed ? txerror.fromLiteSVM(sim.err()).json : null,
      logs: meta.logs(),
      unitsConsumed: meta.computeUnitsConsumed(),
      returnData: meta.returnData(),
      replacementBlockhash: replacement,
    };
  }

  withoutSigverify(fn) {
    this.svm.withSigverify(false);
    try {
      return fn();
    } finally {
      this.svm.withSigverify(true);
    }
  }

  /** requestAirdrop: a real transfer from the faucet, through sendTransaction. */
  airdrop(to, lamports) {
    if (to === this.faucet.address || to === SYSTEM_PROGRAM) {
      throw new RpcError(INVALID_PARAMS, `Invalid param: cannot airdrop to ${to}`);
    }
    return this.send(this.faucet.transferTransaction(to, lamports, this.svm.latestBlockhash()));
  }

  /** Status of a signature, or null (validator shape of getSignatureStatuses values). */
  status(signature, searchTransactionHistory) {
    const rec = this.history.get(signature);
    if (!rec) return null;
    if (!searchTransactionHistory && rec.slot + STATUS_CACHE_SLOTS < this.slot) return null;
    return {
      slot: rec.slot,
      confirmations: null,
      err: rec.err,
      status: rec.err === null ? { Ok: null } : { Err: rec.err },
      confirmationStatus: "finalized",
    };
  }

  /** Signatures that touched address, newest first (getSignaturesForAddress). */
  signaturesFor(address, { limit = 1000, before = null, until = null } = {}) {
    const all = this.byAddress.get(address) ?? [];
    let end = all.length;
    if (before !== null) {
      const i = all.indexOf(before);
      end = i < 0 ? 0 : i;
    }
    const out = [];
    for (let i = end - 1; i >= 0 && out.length < limit; i--) {
      if (all[i] === until) break;
      out.push(this.history.get(all[i]));
    }
    return out;
  }

  feeForMessage(messageBytes) {
    const numSignatures = messageBytes[0] & 0x80 ? messageBytes[1] : messageBytes[0];
    return LAMPORTS_PER_SIGNATURE * BigInt(numSignatures);
  }
}

/** Decodes wire bytes into the parsed form plus the kit object litesvm takes. */
function decodeTransaction(bytes) {
  let tx;
  try {
    tx = parseTransaction(bytes);
    tx.kit = decodeKitTransaction(bytes);
  } catch (e) {
    throw new RpcError(INVALID_PARAMS, `failed to deserialize solana_transaction::versioned::VersionedTransaction: ${e.message}`);
  }
  if (tx.signatures.length === 0 || tx.signatures.length !== tx.header.numRequiredSignatures) {
    throw new RpcError(INVALID_PARAMS, `invalid transaction: ${txerror.named("SanitizeFailure").text}`);
  }
  tx.bytes = bytes;
  return tx;
}

/** Checks every ed25519 signature against its signer key. */
function signaturesValid(tx) {
  return tx.signatures.every((sig, i) => {
    const key = tx.accountKeys[i];
    if (key === undefined) return false;
    try {
      const publicKey = crypto.createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(fromBase58(key)).toString("base64url") },
        format: "jwk",
      });
      return crypto.verify(null, tx.messageBytes, publicKey, fromBase58(sig));
    } catch {
      return false;
    }
  });
}

function withBlockhash(tx, blockhash) {
  const out = Uint8Array.from(tx.bytes);
  out.set(fromBase58(blockhash), tx.blockhashOffset);
  return out;
}

function preflightFailure(err, logs, unitsConsumed) {
  return new RpcError(SEND_TRANSACTION_PREFLIGHT_FAILURE, `Transaction simulation failed: ${err.text}`, {
    err: err.json,
    logs,
    accounts: null,
    unitsConsumed,
    returnData: null,
    innerInstructions: null,
    replacementBlockhash: null,
  });
}

function sum(values) {
  return values.reduce((a, b) => a + b, 0n);
}

/** A funded keypair that signs airdrop transfers. */
function newFaucet(svm) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const pub = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url");
  const address = toBase58(pub);
  svm.setAccount({ address, lamports: FAUCET_LAMPORTS, data: new Uint8Array(), programAddress: SYSTEM_PROGRAM, executable: false });
  return {
    address,
    transferTransaction(to, lamports, blockhash) {
      const data = new Uint8Array(12);
      const view = new DataView(data.buffer);
      view.setUint32(0, 2, true); // SystemInstruction::Transfer
      view.setBigUint64(4, BigInt(lamports), true);
      const message = Uint8Array.from([
        1, 0, 1, // header: one signer, no readonly signers, one readonly unsigned (the program)
        3, ...pub, ...fromBase58(to), ...fromBase58(SYSTEM_PROGRAM),
        ...fromBase58(blockhash),
        1, 2, 2, 0, 1, data.length, ...data,
      ]);
      const signature = crypto.sign(null, message, privateKey);
      return Uint8Array.from([1, ...signature, ...message]);
    },
  };
}
