package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

// manageTests cover Organisations, Applications, Routes and Credits.
var manageTests = []struct {
	name string
	fn   func(t *testing.T, s router.Store)
}{
	{"Organisations/CRUD", testOrganisations},
	{"Organisations/DeleteOwned", testDeleteOwnedOrganisation},
	{"Applications/CRUD", testApplications},
	{"Applications/DeleteWithDevices", testDeleteApplicationWithDevices},
	{"Routes/CRUD", testRoutes},
	{"Credits/FundAndSpend", testCredits},
	{"Credits/Missing", testCreditsMissing},
	{"Credits/Concurrent", testConcurrentSpend},
}

func organisation(id string) router.Organisation {
	return router.Organisation{ID: id, Name: "org " + id, CreatedAt: base.Add(time.Hour)}
}

func application(id, org string) router.Application {
	return router.Application{ID: id, Organisation: org, Name: "app " + id, CreatedAt: base.Add(2 * time.Hour)}
}

func route(id, org string) router.Route {
	return router.Route{
		ID: id, Organisation: org, NetID: lorawan.NetID{0x00, 0x00, 0x24},
		DevAddrRanges: []router.DevAddrRange{{First: lorawan.DevAddr{0x48, 0, 0, 0}, Last: lorawan.DevAddr{0x48, 0, 0xff, 0xff}}},
		EUIPairs:      []router.EUIPair{{JoinEUI: lorawan.EUI64{1, 2, 3, 4, 5, 6, 7, 8}}, {JoinEUI: lorawan.EUI64{1}, DevEUI: devEUI(9)}},
		MaxCopies:     2, Destination: router.DestinationGWMP, GWMPAddress: "ns.example.org:1700",
		CreatedAt: base.Add(3 * time.Hour),
	}
}

func mustOrg(t *testing.T, s router.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := s.CreateOrganisation(t.Context(), organisation(id)); err != nil {
			t.Fatalf("CreateOrganisation(%s): %v", id, err)
		}
	}
}

func testOrganisations(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustOrg(t, s, "b", "a")
	if err := s.CreateOrganisation(ctx, organisation("a")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second CreateOrganisation(a) = %v, want store.ErrConflict", err)
	}
	withBalance := organisation("a")
	withBalance.BalanceDC = 99 // ignored on create
	if err := s.CreateOrganisation(ctx, func() router.Organisation { o := withBalance; o.ID = "c"; return o }()); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListOrganisations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []router.Organisation{organisation("a"), organisation("b"), organisation("a")}
	want[2].ID = "c"
	for i := range want {
		want[i].CreatedAt = stored(want[i].CreatedAt)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("ListOrganisations (-want +got):\n%s", d)
	}
	if o, err := s.GetOrganisation(ctx, "b"); err != nil || diff(want[1], o) != "" {
		t.Errorf("GetOrganisation(b) = %+v, %v", o, err)
	}
	if err := s.DeleteOrganisation(ctx, "b"); err != nil {
		t.Fatalf("DeleteOrganisation(b): %v", err)
	}
	for _, call := range []func() error{
		func() error { _, err := s.GetOrganisation(ctx, "b"); return err },
		func() error { return s.DeleteOrganisation(ctx, "b") },
	} {
		if err := call(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after delete: %v, want store.ErrNotFound", err)
		}
	}
}

func testDeleteOwnedOrganisation(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustOrg(t, s, "o")
	mustApp(t, s, application("app", "o"))
	if _, err := s.AddCredits(ctx, "o", 10, base); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOrganisation(ctx, "o"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("DeleteOrganisation with an application = %v, want store.ErrConflict", err)
	}
	must(t, s.DeleteApplication(ctx, "app"))
	must(t, s.CreateRoute(ctx, route("r", "o")))
	if err := s.DeleteOrganisation(ctx, "o"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("DeleteOrganisation with a route = %v, want store.ErrConflict", err)
	}
	must(t, s.DeleteRoute(ctx, "r"))
	if err := s.DeleteOrganisation(ctx, "o"); err != nil {
		t.Errorf("DeleteOrganisation with only credit entries: %v", err)
	}
}

func mustApp(t *testing.T, s router.Store, as ...router.Application) {
	t.Helper()
	for _, a := range as {
		if err := s.CreateApplication(t.Context(), a); err != nil {
			t.Fatalf("CreateApplication(%s): %v", a.ID, err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testApplications(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustOrg(t, s, "o1", "o2")
	a2, a1, b1 := application("a2", "o1"), application("a1", "o1"), application("b1", "o2")
	// The integration fields round-trip (migration 00004).
	a1.WebhookURL, a1.WebhookSecret, a1.Codec = "https://example.com/hook?x=1", "s3cret", router.CodecCayenne
	mustApp(t, s, a2, a1, b1)
	if err := s.CreateApplication(ctx, application("a1", "o2")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate CreateApplication = %v, want store.ErrConflict", err)
	}
	if err := s.CreateApplication(ctx, application("x", "nobody")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CreateApplication of a missing organisation = %v, want store.ErrNotFound", err)
	}
	stamp := func(as ...router.Application) []router.Application {
		for i := range as {
			as[i].CreatedAt = stored(as[i].CreatedAt)
		}
		return as
	}
	for org, want := range map[string][]router.Application{"o1": stamp(a1, a2), "o2": stamp(b1), "": stamp(a1, a2, b1), "none": nil} {
		got, err := s.ListApplications(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("ListApplications(%q) (-want +got):\n%s", org, d)
		}
	}
	if got, err := s.GetApplication(ctx, "b1"); err != nil || diff(stamp(b1)[0], got) != "" {
		t.Errorf("GetApplication(b1) = %+v, %v", got, err)
	}
	must(t, s.DeleteApplication(ctx, "b1"))
	if _, err := s.GetApplication(ctx, "b1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetApplication after delete = %v, want store.ErrNotFound", err)
	}
	if err := s.DeleteApplication(ctx, "b1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second DeleteApplication = %v, want store.ErrNotFound", err)
	}
}

func testDeleteApplicationWithDevices(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustOrg(t, s, "o")
	mustApp(t, s, application("app", "o"))
	mustCreate(t, s, device(1, "app"))
	if err := s.DeleteApplication(ctx, "app"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("DeleteApplication with a device = %v, want store.ErrConflict", err)
	}
	must(t, s.DeleteDevice(ctx, devEUI(1)))
	must(t, s.DeleteApplication(ctx, "app"))
}

func testRoutes(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustOrg(t, s, "o1", "o2")
	r2, r1 := route("r2", "o1"), route("r1", "o2")
	r1.Destination, r1.GWMPAddress, r1.MaxCopies, r1.EUIPairs = router.DestinationBuiltin, "", 0, nil
	must(t, s.CreateRoute(ctx, r2))
	must(t, s.CreateRoute(ctx, r1))
	if err := s.CreateRoute(ctx, route("r1", "o1")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate CreateRoute = %v, want store.ErrConflict", err)
	}
	if err := s.CreateRoute(ctx, route("r3", "nobody")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CreateRoute of a missing organisation = %v, want store.ErrNotFound", err)
	}
	r1.CreatedAt, r2.CreatedAt = stored(r1.CreatedAt), stored(r2.CreatedAt)
	for org, want := range map[string][]router.Route{"o1": {r2}, "o2": {r1}, "": {r1, r2}, "none": nil} {
		got, err := s.ListRoutes(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("ListRoutes(%q) (-want +got):\n%s", org, d)
		}
	}
	if got, err := s.GetRoute(ctx, "r2"); err != nil || diff(r2, got) != "" {
		t.Errorf("GetRoute(r2) = %+v, %v\n%s", got, err, diff(r2, got))
	}
	must(t, s.DeleteRoute(ctx, "r2"))
	if _, err := s.GetRoute(ctx, "r2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetRoute after delete = %v, want store.ErrNotFound", err)
	}
	if err := s.DeleteRoute(ctx, "r2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second DeleteRoute = %v, want store.ErrNotFound", err)
	}
}

func frameID(n byte) [16]byte { return [16]byte{0xc0, n, 15: 1} }

func testCredits(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustOrg(t, s, "o")
	steps := []struct {
		name    string
		do      func() (int64, error)
		want    int64
		wantErr error
	}{
		{"fund", func() (int64, error) { return s.AddCredits(ctx, "o", 10, base) }, 10, nil},
		{"spend 4", func() (int64, error) { return s.SpendCredits(ctx, "o", 4, frameID(1), base.Add(time.Second)) }, 6, nil},
		{"same frame again is free", func() (int64, error) { return s.SpendCredits(ctx, "o", 4, frameID(1), base) }, 6, nil},
		{"spend more than left", func() (int64, error) { return s.SpendCredits(ctx, "o", 7, frameID(2), base) }, 6, router.ErrNoCredits},
		{"spend all", func() (int64, error) { return s.SpendCredits(ctx, "o", 6, frameID(2), base.Add(2*time.Second)) }, 0, nil},
		{"spend at zero", func() (int64, error) { return s.SpendCredits(ctx, "o", 1, frameID(3), base) }, 0, router.ErrNoCredits},
		{"zero-cost frame at zero", func() (int64, error) { return s.SpendCredits(ctx, "o", 0, frameID(4), base.Add(3*time.Second)) }, 0, nil},
	}
	for _, st := range steps {
		got, err := st.do()
		if !errors.Is(err, st.wantErr) || (err == nil && got != st.want) {
			t.Fatalf("%s: %d, %v; want %d, %v", st.name, got, err, st.want, st.wantErr)
		}
	}
	if o, err := s.GetOrganisation(ctx, "o"); err != nil || o.BalanceDC != 0 {
		t.Errorf("GetOrganisation balance = %d, %v; want 0", o.BalanceDC, err)
	}
	got, err := s.ListCreditEntries(ctx, "o", 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []router.CreditEntry{
		{Organisation: "o", AmountDC: 0, Frame: frameID(4), At: stored(base.Add(3 * time.Second))},
		{Organisation: "o", AmountDC: -6, Frame: frameID(2), At: stored(base.Add(2 * time.Second))},
		{Organisation: "o", AmountDC: -4, Frame: frameID(1), At: stored(base.Add(time.Second))},
	}
	if d := diff(want, got); d != "" {
		t.Errorf("ListCreditEntries (-want +got):\n%s", d)
	}
}

func testCreditsMissing(t *testing.T, s router.Store) {
	ctx := t.Context()
	if _, err := s.AddCredits(ctx, "nobody", 5, base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AddCredits(missing) = %v, want store.ErrNotFound", err)
	}
	if _, err := s.SpendCredits(ctx, "nobody", 5, frameID(1), base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SpendCredits(missing) = %v, want store.ErrNotFound", err)
	}
	mustOrg(t, s, "o")
	for _, dc := range []int64{0, -3} {
		if _, err := s.AddCredits(ctx, "o", dc, base); err == nil {
			t.Errorf("AddCredits(%d) succeeded", dc)
		}
	}
	if _, err := s.SpendCredits(ctx, "o", -1, frameID(1), base); err == nil {
		t.Error("SpendCredits(-1) succeeded")
	}
}

// testConcurrentSpend spends from many goroutines: exactly the balance is
// spent, never more.
func testConcurrentSpend(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustOrg(t, s, "o")
	if _, err := s.AddCredits(ctx, "o", 25, base); err != nil {
		t.Fatal(err)
	}
	const n = 40
	errs := make(chan error, n)
	for i := range n {
		go func() { _, err := s.SpendCredits(ctx, "o", 1, frameID(byte(i)), base); errs <- err }()
	}
	spent := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			spent++
		case !errors.Is(err, router.ErrNoCredits):
			t.Errorf("SpendCredits: %v", err)
		}
	}
	if o, err := s.GetOrganisation(ctx, "o"); err != nil || spent != 25 || o.BalanceDC != 0 {
		t.Errorf("spent %d of 25 DC, balance %d (%v)", spent, o.BalanceDC, err)
	}
}
