package payout

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/programs/system"
	"github.com/gagliardetto/solana-go/programs/token"
	"github.com/gagliardetto/solana-go/rpc"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
)

// MintSeed derives the reward mint's address from the oracle key
// (create-with-seed, owned by the token program): the same key always
// finds the same mint, so setting it up is idempotent without a second
// keypair to keep.
const MintSeed = "hexnet-reward-mint"

// mintSize is the size of an SPL token mint account.
const mintSize = 82

// ErrMint reports a mint that exists but cannot serve as the reward mint.
var ErrMint = errors.New("payout: unusable reward mint")

// MintAddress is the reward mint address of an oracle key.
func MintAddress(authority solana.PublicKey) (solana.PublicKey, error) {
	addr, err := solana.CreateWithSeed(authority, MintSeed, solana.TokenProgramID)
	if err != nil {
		return solana.PublicKey{}, fmt.Errorf("derive reward mint address: %w", err)
	}
	return addr, nil
}

// EnsureMint returns the reward mint of key, creating it (with key as
// mint authority and fee payer, no freeze authority) if it does not exist
// yet. An existing mint is reused when its mint authority is key and its
// decimals match; otherwise ErrMint. key needs lamports for rent and fees.
func EnsureMint(ctx context.Context, c RPC, key *identity.Key, decimals uint8) (solana.PublicKey, error) {
	priv := PrivateKey(key)
	addr, err := MintAddress(priv.PublicKey())
	if err != nil {
		return solana.PublicKey{}, err
	}
	ch := chain{rpc: c, caller: caller{clock: clock.Real{}, timeout: 15 * time.Second}}
	for attempt := 0; attempt < 3; attempt++ {
		found, err := CheckMint(ctx, c, addr, priv.PublicKey(), decimals)
		if err != nil || found {
			return addr, err
		}
		if err := createMint(ctx, ch, priv, addr, decimals); err != nil {
			return solana.PublicKey{}, err
		}
	}
	return solana.PublicKey{}, fmt.Errorf("%w: %s still missing after 3 creation attempts", ErrMint, addr)
}

// CheckMint reports whether mint exists, and if it does, that it is an
// initialised SPL mint with the given mint authority and decimals.
func CheckMint(ctx context.Context, c RPC, mint, authority solana.PublicKey, decimals uint8) (bool, error) {
	ch := chain{rpc: c, caller: caller{clock: clock.Real{}, timeout: 15 * time.Second}}
	acct, found, err := ch.account(ctx, mint)
	if err != nil || !found {
		return false, err
	}
	if acct.Owner != solana.TokenProgramID {
		return true, fmt.Errorf("%w: %s is owned by %s, not the token program", ErrMint, mint, acct.Owner)
	}
	return true, checkMintData(mint, acct.Data.GetBinary(), authority, decimals)
}

// checkMintData reads the mint layout: mint authority COption (u32 tag,
// 32-byte key), supply u64, decimals u8, is_initialized u8, then the
// freeze authority.
func checkMintData(mint solana.PublicKey, data []byte, authority solana.PublicKey, decimals uint8) error {
	if len(data) < mintSize || data[45] != 1 {
		return fmt.Errorf("%w: %s is not an initialised mint", ErrMint, mint)
	}
	if binary.LittleEndian.Uint32(data[0:4]) != 1 || solana.PublicKeyFromBytes(data[4:36]) != authority {
		return fmt.Errorf("%w: %s's mint authority is not %s", ErrMint, mint, authority)
	}
	if data[44] != decimals {
		return fmt.Errorf("%w: %s has %d decimals, want %d", ErrMint, mint, data[44], decimals)
	}
	return nil
}

// createMint creates and initialises the mint in one transaction and
// waits for it to land or expire. Landing twice is impossible: creating
// an existing account fails.
func createMint(ctx context.Context, ch chain, priv solana.PrivateKey, addr solana.PublicKey, decimals uint8) error {
	pub := priv.PublicKey()
	var rent uint64
	err := ch.do(ctx, "get rent-exempt minimum", func(ctx context.Context) (err error) {
		rent, err = ch.rpc.GetMinimumBalanceForRentExemption(ctx, mintSize, rpc.CommitmentConfirmed)
		return err
	})
	if err != nil {
		return err
	}
	create := system.NewCreateAccountWithSeedInstruction(pub, MintSeed, rent, mintSize, solana.TokenProgramID, pub, addr, pub).Build()
	initialize, err := token.NewInitializeMint2InstructionBuilder().SetDecimals(decimals).SetMintAuthority(pub).SetMintAccount(addr).ValidateAndBuild()
	if err != nil {
		return fmt.Errorf("build InitializeMint2: %w", err)
	}
	return ch.submit(ctx, priv, []solana.Instruction{create, initialize})
}

// submit signs instructions with a fresh blockhash, sends them, and waits
// until they land (nil, or ErrTxFailed) or expire (nil: the caller looks
// at the chain again). For one-off set-up transactions, not payouts.
func (c chain) submit(ctx context.Context, priv solana.PrivateKey, insts []solana.Instruction) error {
	blockhash, lastValid, err := c.latestBlockhash(ctx)
	if err != nil {
		return err
	}
	tx, err := solana.NewTransaction(insts, blockhash, solana.TransactionPayer(priv.PublicKey()))
	if err != nil {
		return fmt.Errorf("build transaction: %w", err)
	}
	if _, err := tx.Sign(func(solana.PublicKey) *solana.PrivateKey { return &priv }); err != nil {
		return fmt.Errorf("sign transaction: %w", err)
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return fmt.Errorf("serialize transaction: %w", err)
	}
	return c.await(ctx, raw, tx.Signatures[0], lastValid)
}

// await sends raw until its signature has landed or the finalized block
// height passes lastValid with no status.
func (c chain) await(ctx context.Context, raw []byte, sig solana.Signature, lastValid uint64) error {
	for {
		height, err := c.finalizedHeight(ctx)
		if err != nil {
			return err
		}
		st, err := c.statuses(ctx, []solana.Signature{sig})
		switch {
		case err != nil:
			return err
		case st[0] != nil && landed(st[0]) && st[0].Err != nil:
			return fmt.Errorf("%w: %s: %v", ErrTxFailed, sig, st[0].Err)
		case st[0] != nil && landed(st[0]), st[0] == nil && height > lastValid:
			return nil
		case st[0] == nil:
			if err := c.sendOnce(ctx, raw); err != nil {
				return err
			}
		}
		if err := sleep(ctx, c.clock, 200*time.Millisecond); err != nil {
			return err
		}
	}
}

// sendOnce sends raw, turning the outcomes that end the wait into errors.
func (c chain) sendOnce(ctx context.Context, raw []byte) error {
	switch outcome, err := c.send(ctx, raw); outcome {
	case sendRejected:
		return fmt.Errorf("%w: %w", ErrRejected, err)
	case sendTransient:
		return err
	}
	return nil
}
