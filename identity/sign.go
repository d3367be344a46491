package identity

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// Kind names a signed message kind. The kind is part of the signed bytes, so a
// signature made for one kind never verifies as another.
type Kind string

// The kinds of signed messages on the wire.
const (
	KindUplink        Kind = "uplink"
	KindTxAck         Kind = "txack"
	KindState         Kind = "state"
	KindStats         Kind = "stats"
	KindBeacon        Kind = "beacon"
	KindWitness       Kind = "witness"
	KindChallenge     Kind = "challenge"
	KindOnboard       Kind = "onboard"
	KindLocation      Kind = "location"
	KindEntropyCommit Kind = "entropy-commit"
	KindEntropyReveal Kind = "entropy-reveal"
	// KindBrokerAuth signs the short-lived token a hotspot presents as its
	// MQTT password (brokerauth).
	KindBrokerAuth Kind = "broker-auth"
	// KindRelease signs hotspotd release manifests (firmware/update).
	KindRelease Kind = "release"
)

// Verification failures; compare with errors.Is.
var (
	ErrBadSignature = errors.New("identity: bad signature")
	ErrWrongKind    = errors.New("identity: message kind differs from the expected one")
	ErrBadSigner    = errors.New("identity: signer is not a 32-byte public key")
	ErrBadBody      = errors.New("identity: signed body does not decode")
)

const domain = "hexnet/v1/"

// signedBytes is what a signature covers: domain, kind, a zero byte, body.
func signedBytes(kind Kind, body []byte) []byte {
	out := make([]byte, 0, len(domain)+len(kind)+1+len(body))
	out = append(out, domain...)
	out = append(out, kind...)
	out = append(out, 0)
	return append(out, body...)
}

// Sign signs body as a message of the given kind.
func (k *Key) Sign(kind Kind, body []byte) []byte {
	return ed25519.Sign(k.priv, signedBytes(kind, body))
}

// Verify checks a signature by pub over body as kind.
func Verify(pub ed25519.PublicKey, kind Kind, body, sig []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return ErrBadSigner
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, signedBytes(kind, body), sig) {
		return ErrBadSignature
	}
	return nil
}

// Seal marshals msg and wraps it in a signed envelope of the given kind.
func (k *Key) Seal(kind Kind, msg proto.Message) (*hexnetpb.Signed, error) {
	body, err := proto.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", kind, err)
	}
	return &hexnetpb.Signed{Kind: string(kind), Signer: k.Public(), Body: body, Signature: k.Sign(kind, body)}, nil
}

// SealBytes is Seal followed by marshalling the envelope, ready to publish.
func (k *Key) SealBytes(kind Kind, msg proto.Message) ([]byte, error) {
	env, err := k.Seal(kind, msg)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(env)
}

// VerifyFunc checks a signature by pub over body as kind; Verify is one.
type VerifyFunc func(pub ed25519.PublicKey, kind Kind, body, sig []byte) error

// SignedMessage is what a signature of kind over body signs; for verifiers
// other than Verify.
func SignedMessage(kind Kind, body []byte) []byte { return signedBytes(kind, body) }

// Open verifies an envelope of the expected kind and decodes its body into
// msg. It returns the signer's address.
func Open(env *hexnetpb.Signed, kind Kind, msg proto.Message) (Address, error) {
	return OpenWith(env, kind, msg, Verify)
}

// OpenWith is Open with another signature check (same results, other cost:
// identity/keycache).
func OpenWith(env *hexnetpb.Signed, kind Kind, msg proto.Message, verify VerifyFunc) (Address, error) {
	if Kind(env.GetKind()) != kind {
		return "", fmt.Errorf("%w: got %q, want %q", ErrWrongKind, env.GetKind(), kind)
	}
	if err := verify(env.GetSigner(), kind, env.GetBody(), env.GetSignature()); err != nil {
		return "", err
	}
	if err := proto.Unmarshal(env.GetBody(), msg); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadBody, err)
	}
	return AddressOf(env.GetSigner()), nil
}

// OpenBytes decodes a marshalled envelope and opens it.
func OpenBytes(raw []byte, kind Kind, msg proto.Message) (Address, error) {
	return OpenBytesWith(raw, kind, msg, Verify)
}

// OpenBytesWith is OpenBytes with another signature check.
func OpenBytesWith(raw []byte, kind Kind, msg proto.Message, verify VerifyFunc) (Address, error) {
	var env hexnetpb.Signed
	if err := proto.Unmarshal(raw, &env); err != nil {
		return "", fmt.Errorf("%w: envelope: %v", ErrBadBody, err)
	}
	return OpenWith(&env, kind, msg, verify)
}
