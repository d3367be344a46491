package api

import (
	"encoding/hex"
	"net/http"
	"time"

	"github.com/hexnet/hexnet/router"
)

// organisationJSON is an organisation in responses.
type organisationJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	BalanceDC int64     `json:"balance_dc"`
	CreatedAt time.Time `json:"created_at"`
}

func organisationOut(o router.Organisation) organisationJSON {
	return organisationJSON{ID: o.ID, Name: o.Name, BalanceDC: o.BalanceDC, CreatedAt: o.CreatedAt}
}

// balanceJSON is an organisation's balance.
type balanceJSON struct {
	Organisation string `json:"organisation"`
	BalanceDC    int64  `json:"balance_dc"`
}

func (s *server) createOrganisation(r *http.Request) (*response, error) {
	var in struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if err := checkID("id", in.ID); err != nil {
		return nil, err
	}
	o := router.Organisation{ID: in.ID, Name: in.Name, CreatedAt: s.clock.Now().UTC()}
	if err := s.store.CreateOrganisation(r.Context(), o); err != nil {
		return nil, err
	}
	return created(organisationOut(o))
}

func (s *server) listOrganisations(r *http.Request) (*response, error) {
	os, err := s.store.ListOrganisations(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]organisationJSON, len(os))
	for i, o := range os {
		out[i] = organisationOut(o)
	}
	return ok(out)
}

func (s *server) getOrganisation(r *http.Request) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	o, err := s.store.GetOrganisation(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return ok(organisationOut(o))
}

func (s *server) deleteOrganisation(r *http.Request) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteOrganisation(r.Context(), id); err != nil {
		return nil, err
	}
	return noContent()
}

// maxFunding bounds one funding, far below int64 overflow.
const maxFunding = 1 << 50

func (s *server) addCredits(r *http.Request) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	var in struct {
		DC int64 `json:"dc"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if in.DC <= 0 || in.DC > maxFunding {
		return nil, badRequest("field \"dc\": %d is not a positive amount up to %d", in.DC, int64(maxFunding))
	}
	balance, err := s.store.AddCredits(r.Context(), id, in.DC, s.clock.Now())
	if err != nil {
		return nil, err
	}
	return ok(balanceJSON{Organisation: id, BalanceDC: balance})
}

// creditEntryJSON is one balance change.
type creditEntryJSON struct {
	AmountDC int64     `json:"amount_dc"`
	Frame    string    `json:"frame,omitempty"` // the charged frame's deduplicationId (hex)
	At       time.Time `json:"at"`
}

func (s *server) getCredits(r *http.Request) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	limit, err := limitParam(r, 100)
	if err != nil {
		return nil, err
	}
	o, err := s.store.GetOrganisation(r.Context(), id)
	if err != nil {
		return nil, err
	}
	es, err := s.store.ListCreditEntries(r.Context(), id, limit)
	if err != nil {
		return nil, err
	}
	out := struct {
		balanceJSON
		Entries []creditEntryJSON `json:"entries"`
	}{balanceJSON{id, o.BalanceDC}, make([]creditEntryJSON, len(es))}
	for i, e := range es {
		out.Entries[i] = creditEntryJSON{AmountDC: e.AmountDC, At: e.At}
		if e.Frame != [16]byte{} {
			out.Entries[i].Frame = hex.EncodeToString(e.Frame[:])
		}
	}
	return ok(out)
}

func (s *server) listBalances(r *http.Request) (*response, error) {
	os, err := s.store.ListOrganisations(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]balanceJSON, len(os))
	for i, o := range os {
		out[i] = balanceJSON{Organisation: o.ID, BalanceDC: o.BalanceDC}
	}
	return ok(out)
}
