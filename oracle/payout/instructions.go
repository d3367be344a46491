package payout

import (
	"fmt"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/programs/token"

	"github.com/hexnet/hexnet/identity"
)

// createIdempotent is the associated token program's instruction index of
// CreateIdempotent: it succeeds, doing nothing, when the account exists.
const createIdempotent = 1

// PrivateKey converts a hexnet key to solana-go's form: both are the
// 64-byte Solana keypair (seed then public key).
func PrivateKey(key *identity.Key) solana.PrivateKey {
	return solana.PrivateKey(key.Bytes())
}

// PublicKey converts a hexnet address to a Solana public key.
func PublicKey(addr identity.Address) (solana.PublicKey, error) {
	pub, err := addr.PublicKey()
	if err != nil {
		return solana.PublicKey{}, err
	}
	return solana.PublicKeyFromBytes(pub), nil
}

// MemoInstruction writes text into the transaction log. The data is the
// raw UTF-8 text: solana-go's memo helper prepends a length byte, which
// would end up in the memo, so it is built here by hand. It lists no
// signers, so the memo program verifies none.
func MemoInstruction(text string) solana.Instruction {
	return solana.NewInstruction(solana.MemoProgramID, nil, []byte(text))
}

// CreateATAIdempotent creates owner's associated token account for mint,
// paid by payer, unless it already exists. solana-go only has the plain
// Create (data empty or [0]), which fails on an existing account.
func CreateATAIdempotent(payer, ata, owner, mint solana.PublicKey) solana.Instruction {
	accounts := solana.AccountMetaSlice{
		solana.Meta(payer).WRITE().SIGNER(),
		solana.Meta(ata).WRITE(),
		solana.Meta(owner),
		solana.Meta(mint),
		solana.Meta(solana.SystemProgramID),
		solana.Meta(solana.TokenProgramID),
	}
	return solana.NewInstruction(solana.SPLAssociatedTokenAccountProgramID, accounts, []byte{createIdempotent})
}

// MintToInstruction mints amount base units of mint into the token
// account dest; authority is the mint authority and signs.
func MintToInstruction(amount uint64, mint, dest, authority solana.PublicKey) (solana.Instruction, error) {
	inst, err := token.NewMintToInstruction(amount, mint, dest, authority, nil).ValidateAndBuild()
	if err != nil {
		return nil, fmt.Errorf("build MintTo: %w", err)
	}
	return inst, nil
}

// ATA is owner's associated token account for mint.
func ATA(owner, mint solana.PublicKey) (solana.PublicKey, error) {
	ata, _, err := solana.FindAssociatedTokenAddress(owner, mint)
	if err != nil {
		return solana.PublicKey{}, fmt.Errorf("derive token account of %s: %w", owner, err)
	}
	return ata, nil
}
