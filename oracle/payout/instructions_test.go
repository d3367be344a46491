package payout

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/gagliardetto/solana-go"
	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/identity"
)

func TestMemoInstructionIsRawText(t *testing.T) {
	const text = "hexnet epoch 7 root ab tx 0/1"
	inst := MemoInstruction(text)
	data, err := inst.Data()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, []byte(text)) {
		t.Errorf("memo data = %q, want the raw text %q (no length prefix)", data, text)
	}
	if inst.ProgramID() != solana.MemoProgramID || len(inst.Accounts()) != 0 {
		t.Errorf("memo program %s with %d accounts, want %s with none", inst.ProgramID(), len(inst.Accounts()), solana.MemoProgramID)
	}
}

func TestCreateATAIdempotent(t *testing.T) {
	payer, owner, mint := probeKey(1), probeKey(2), probeKey(3)
	ata, err := ATA(owner, mint)
	if err != nil {
		t.Fatal(err)
	}
	inst := CreateATAIdempotent(payer, ata, owner, mint)
	data, _ := inst.Data()
	if !bytes.Equal(data, []byte{1}) || inst.ProgramID() != solana.SPLAssociatedTokenAccountProgramID {
		t.Fatalf("program %s data %v, want the ATA program with [1]", inst.ProgramID(), data)
	}
	type meta struct {
		Key              string
		Signer, Writable bool
	}
	var got []meta
	for _, a := range inst.Accounts() {
		got = append(got, meta{a.PublicKey.String(), a.IsSigner, a.IsWritable})
	}
	want := []meta{
		{payer.String(), true, true}, {ata.String(), false, true}, {owner.String(), false, false},
		{mint.String(), false, false}, {solana.SystemProgramID.String(), false, false}, {solana.TokenProgramID.String(), false, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
}

func TestMintToInstruction(t *testing.T) {
	mint, dest, auth := probeKey(1), probeKey(2), probeKey(3)
	inst, err := MintToInstruction(1_000_000_007, mint, dest, auth)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := inst.Data()
	want := binary.LittleEndian.AppendUint64([]byte{7}, 1_000_000_007) // MintTo is token instruction 7
	if !bytes.Equal(data, want) || inst.ProgramID() != solana.TokenProgramID {
		t.Errorf("program %s data %v, want token program with %v", inst.ProgramID(), data, want)
	}
	accts := inst.Accounts()
	if len(accts) != 3 || accts[0].PublicKey != mint || !accts[0].IsWritable || accts[1].PublicKey != dest ||
		!accts[1].IsWritable || accts[2].PublicKey != auth || !accts[2].IsSigner {
		t.Errorf("accounts %v, want mint (w), dest (w), authority (s)", accts)
	}
}

func TestKeyConversion(t *testing.T) {
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	priv := PrivateKey(key)
	pub, err := PublicKey(key.Address())
	if err != nil {
		t.Fatal(err)
	}
	if priv.PublicKey() != pub || pub.String() != key.Address().String() {
		t.Errorf("solana key %s, public %s, hexnet address %s: all should agree", priv.PublicKey(), pub, key.Address())
	}
	if _, err := PublicKey("not-an-address"); err == nil {
		t.Error("a bad address converted without error")
	}
}
