package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
)

func committedRound(n uint64) oracle.Round {
	return oracle.Round{
		Number:      n,
		Commitment:  []byte{0xc0, byte(n), 0x00, 0xff},
		CommittedAt: at.Add(time.Duration(n) * time.Minute),
	}
}

func revealedRound(n uint64) oracle.Round {
	r := committedRound(n)
	r.Secret, r.PublicMix, r.Entropy = []byte{0x5e, byte(n)}, []byte{0x3c, byte(n)}, []byte{0xe0, byte(n), 0xff}
	r.RevealedAt = r.CommittedAt.Add(30 * time.Second)
	return r
}

func checkRound(t *testing.T, s oracle.Store, want oracle.Round) {
	t.Helper()
	got, err := s.GetRound(t.Context(), want.Number)
	if err != nil {
		t.Fatalf("GetRound(%d): %v", want.Number, err)
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("GetRound(%d) (-want +got):\n%s", want.Number, diff)
	}
}

// testSaveRound: commit, then reveal; the commitment never changes, and a
// revealed round can be saved again only unchanged.
func testSaveRound(t *testing.T, s oracle.Store) {
	otherCommit := revealedRound(1)
	otherCommit.Commitment = []byte("other")
	otherTime := committedRound(1)
	otherTime.CommittedAt = otherTime.CommittedAt.Add(time.Second)
	otherSecret := revealedRound(1)
	otherSecret.Secret = []byte("other")
	tests := []struct {
		name string
		r    oracle.Round
		want error
		kept oracle.Round // GetRound afterwards
	}{
		{"commit", committedRound(1), nil, committedRound(1)},
		{"commit again", committedRound(1), nil, committedRound(1)},
		{"other commitment", otherCommit, store.ErrConflict, committedRound(1)},
		{"other commit time", otherTime, store.ErrConflict, committedRound(1)},
		{"reveal", revealedRound(1), nil, revealedRound(1)},
		{"reveal again, same", revealedRound(1), nil, revealedRound(1)},
		{"reveal again, other secret", otherSecret, store.ErrConflict, revealedRound(1)},
		{"un-reveal", committedRound(1), store.ErrConflict, revealedRound(1)},
		{"reveal without commit", revealedRound(2), nil, revealedRound(2)},
	}
	for _, tt := range tests {
		checkErr(t, tt.name+": SaveRound", s.SaveRound(t.Context(), tt.r), tt.want)
		checkRound(t, s, tt.kept)
	}
}

func testLatestRound(t *testing.T, s oracle.Store) {
	if _, err := s.LatestRound(t.Context()); !wantErr(err, store.ErrNotFound) {
		t.Errorf("LatestRound(no rounds) = %v, want store.ErrNotFound", err)
	}
	mustSaveRound(t, s, committedRound(3), revealedRound(1), committedRound(10), revealedRound(2))
	got, err := s.LatestRound(t.Context())
	if err != nil || got.Number != 10 {
		t.Errorf("LatestRound = %d, %v; want round 10", got.Number, err)
	}
	if _, err := s.GetRound(t.Context(), 4); !wantErr(err, store.ErrNotFound) {
		t.Errorf("GetRound(missing) = %v, want store.ErrNotFound", err)
	}
}

func challengeOf(round uint64, h identity.Address) oracle.Challenge {
	return oracle.Challenge{Round: round, Challengee: h, IssuedAt: at.Add(time.Duration(round) * time.Minute), Envelope: []byte{0xcc, byte(round), 0x00}}
}

// testChallenges: a batch is all or none; a hotspot is challenged once per
// round; the round must be saved first.
func testChallenges(t *testing.T, s oracle.Store) {
	h1, h2, h3 := hotspot(t, 1), hotspot(t, 2), hotspot(t, 3)
	mustSaveRound(t, s, committedRound(1), committedRound(2))
	c11, c12, c13, c21 := challengeOf(1, h1), challengeOf(1, h2), challengeOf(1, h3), challengeOf(2, h1)
	tests := []struct {
		name string
		cs   []oracle.Challenge
		want error
	}{
		{"none", nil, nil},
		{"two", []oracle.Challenge{c12, c11}, nil},
		{"again, with a new one", []oracle.Challenge{c13, c11}, store.ErrConflict},
		{"repeated in the batch", []oracle.Challenge{c13, c13}, store.ErrConflict},
		{"unknown round", []oracle.Challenge{c13, challengeOf(9, h1)}, store.ErrNotFound},
		{"other round, same hotspot", []oracle.Challenge{c21}, nil},
	}
	for _, tt := range tests {
		checkErr(t, tt.name+": SaveChallenges", s.SaveChallenges(t.Context(), tt.cs), tt.want)
	}
	for _, tt := range []struct {
		round uint64
		want  []oracle.Challenge
	}{
		{1, sortedChallenges(c11, c12)},
		{2, []oracle.Challenge{c21}},
		{3, nil},
	} {
		got, err := s.ChallengesOfRound(t.Context(), tt.round)
		if err != nil {
			t.Fatalf("ChallengesOfRound(%d): %v", tt.round, err)
		}
		if diff := diff(tt.want, got); diff != "" {
			t.Errorf("ChallengesOfRound(%d) (-want +got):\n%s", tt.round, diff)
		}
	}
}

// sortedChallenges sorts as ChallengesOfRound returns them.
func sortedChallenges(cs ...oracle.Challenge) []oracle.Challenge {
	slices.SortFunc(cs, func(a, b oracle.Challenge) int { return strings.Compare(string(a.Challengee), string(b.Challengee)) })
	return cs
}
