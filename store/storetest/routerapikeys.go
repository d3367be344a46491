package storetest

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

// apiKeyTests cover APIKeys.
var apiKeyTests = []struct {
	name string
	fn   func(t *testing.T, s router.Store)
}{
	{"APIKeys/CRUD", testAPIKeys},
	{"APIKeys/Missing", testAPIKeysMissing},
	{"APIKeys/DeleteOrganisation", testAPIKeysGoWithOrganisation},
}

func apiKey(id, org string) router.APIKey {
	return router.APIKey{ID: id, Organisation: org, SecretHash: sha256.Sum256([]byte("secret of " + id)),
		CreatedAt: base.Add(4 * time.Hour)}
}

func storedAPIKey(k router.APIKey) router.APIKey {
	k.CreatedAt = stored(k.CreatedAt)
	return k
}

func testAPIKeys(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustOrg(t, s, "a", "b")
	for _, k := range []router.APIKey{apiKey("k2", "a"), apiKey("k1", "a"), apiKey("k3", "b")} {
		must(t, s.CreateAPIKey(ctx, k))
	}
	if err := s.CreateAPIKey(ctx, apiKey("k1", "b")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateAPIKey with a used ID = %v, want store.ErrConflict", err)
	}
	got, err := s.ListAPIKeys(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	want := []router.APIKey{storedAPIKey(apiKey("k1", "a")), storedAPIKey(apiKey("k2", "a"))}
	if d := diff(want, got); d != "" {
		t.Errorf("ListAPIKeys(a) (-want +got):\n%s", d)
	}
	if k, err := s.GetAPIKey(ctx, "k3"); err != nil || diff(storedAPIKey(apiKey("k3", "b")), k) != "" {
		t.Errorf("GetAPIKey(k3) = %+v, %v", k, err)
	}
	if err := s.DeleteAPIKey(ctx, "b", "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteAPIKey of another organisation's key = %v, want store.ErrNotFound", err)
	}
	must(t, s.DeleteAPIKey(ctx, "a", "k1"))
	if _, err := s.GetAPIKey(ctx, "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetAPIKey after delete = %v, want store.ErrNotFound", err)
	}
	if err := s.DeleteAPIKey(ctx, "a", "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second DeleteAPIKey = %v, want store.ErrNotFound", err)
	}
}

func testAPIKeysMissing(t *testing.T, s router.Store) {
	ctx := t.Context()
	if err := s.CreateAPIKey(ctx, apiKey("k", "nobody")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CreateAPIKey for a missing organisation = %v, want store.ErrNotFound", err)
	}
	if _, err := s.GetAPIKey(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetAPIKey(missing) = %v, want store.ErrNotFound", err)
	}
	if ks, err := s.ListAPIKeys(ctx, "nobody"); err != nil || len(ks) != 0 {
		t.Errorf("ListAPIKeys(nobody) = %v, %v; want none", ks, err)
	}
}

// testAPIKeysGoWithOrganisation: deleting an organisation revokes its keys.
func testAPIKeysGoWithOrganisation(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustOrg(t, s, "o")
	must(t, s.CreateAPIKey(ctx, apiKey("k", "o")))
	if err := s.DeleteOrganisation(ctx, "o"); err != nil {
		t.Fatalf("DeleteOrganisation with an API key: %v", err)
	}
	if _, err := s.GetAPIKey(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetAPIKey after its organisation was deleted = %v, want store.ErrNotFound", err)
	}
	mustOrg(t, s, "o")
	if ks, err := s.ListAPIKeys(ctx, "o"); err != nil || len(ks) != 0 {
		t.Errorf("a new organisation of the same ID has keys %v, %v", ks, err)
	}
}
