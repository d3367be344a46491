package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/hexnet/hexnet/store"
)

// orgScope runs an endpoint for a key of organisation org: it lets h run
// only on org's records, or answers itself (a list narrowed to org).
//
// Another organisation's records do not exist for an organisation key:
// they are answered 404 with the same message as a missing record, so a
// key cannot learn which IDs others use. What no organisation key may do
// (admin-only endpoints: a nil scope) is answered 403.
type orgScope func(s *server, r *http.Request, org string, h handlerFunc) (*response, error)

// notFound is the 404 of a record an organisation key cannot see, whether
// it is missing or another organisation's.
func notFound(kind, id string) error {
	return errorf(http.StatusNotFound, "%s %s not found", kind, id)
}

// ownOrganisationPath: /organisations/{id}/… of the key's organisation.
func ownOrganisationPath(_ *server, r *http.Request, org string, h handlerFunc) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if id != org {
		return nil, notFound("organisation", id)
	}
	return h(r)
}

// ownOrganisations: GET /organisations lists the key's organisation only.
func ownOrganisations(s *server, r *http.Request, org string, _ handlerFunc) (*response, error) {
	o, err := s.store.GetOrganisation(r.Context(), org)
	if err != nil {
		return nil, err
	}
	return ok([]organisationJSON{organisationOut(o)})
}

// ownBalances: GET /balances lists the key's organisation's balance only.
func ownBalances(s *server, r *http.Request, org string, _ handlerFunc) (*response, error) {
	o, err := s.store.GetOrganisation(r.Context(), org)
	if err != nil {
		return nil, err
	}
	return ok([]balanceJSON{{Organisation: o.ID, BalanceDC: o.BalanceDC}})
}

// ownOrganisationQuery: a list filtered by ?organisation= (applications,
// routes) is narrowed to the key's organisation.
func ownOrganisationQuery(_ *server, r *http.Request, org string, h handlerFunc) (*response, error) {
	want, err := queryID(r, "organisation")
	if err != nil {
		return nil, err
	}
	if want != "" && want != org {
		return nil, notFound("organisation", want)
	}
	q := r.URL.Query()
	q.Set("organisation", org)
	r.URL.RawQuery = q.Encode()
	return h(r)
}

// ownOrganisationBody: a record created with {"organisation": ...}
// (applications, routes) must be the key's organisation's.
func ownOrganisationBody(_ *server, r *http.Request, org string, h handlerFunc) (*response, error) {
	var in struct {
		Organisation string `json:"organisation"`
	}
	if err := peekBody(r, &in); err != nil {
		return nil, err
	}
	if in.Organisation != org {
		if err := checkID("organisation", in.Organisation); err != nil {
			return nil, err
		}
		return nil, notFound("organisation", in.Organisation)
	}
	return h(r)
}

// ownApplicationPath: /applications/{id} of the key's organisation.
func ownApplicationPath(s *server, r *http.Request, org string, h handlerFunc) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := s.ownsApplication(r, org, id); err != nil {
		return nil, err
	}
	return h(r)
}

// ownsApplication is nil if the application is org's, a 404 otherwise.
func (s *server) ownsApplication(r *http.Request, org, id string) error {
	owner, err := s.applicationOwner(r, id)
	if err == nil && owner != org {
		return notFound("application", id)
	}
	return err
}

// applicationOwner is the organisation of an application; "" if there is
// no such application.
func (s *server) applicationOwner(r *http.Request, id string) (string, error) {
	a, err := s.store.GetApplication(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return a.Organisation, err
}

// ownApplicationBody: a device is registered in an application of the
// key's organisation.
func ownApplicationBody(s *server, r *http.Request, org string, h handlerFunc) (*response, error) {
	var in struct {
		Application string `json:"application"`
	}
	if err := peekBody(r, &in); err != nil {
		return nil, err
	}
	if err := checkID("application", in.Application); err != nil {
		return nil, err
	}
	if err := s.ownsApplication(r, org, in.Application); err != nil {
		return nil, err
	}
	return h(r)
}

// ownDevicePath: /devices/{devEUI}[/queue] of a device in an application of
// the key's organisation.
func ownDevicePath(s *server, r *http.Request, org string, h handlerFunc) (*response, error) {
	eui, err := pathDevEUI(r)
	if err != nil {
		return nil, err
	}
	owner := ""
	d, err := s.store.GetDevice(r.Context(), eui)
	if err == nil {
		owner, err = s.applicationOwner(r, d.Application)
	}
	if errors.Is(err, store.ErrNotFound) || err == nil && owner != org {
		return nil, notFound("device", eui.String())
	}
	if err != nil {
		return nil, err
	}
	return h(r)
}

// ownDevices: GET /devices lists the devices of the key's organisation's
// applications, or of one of them (?application=).
func ownDevices(s *server, r *http.Request, org string, h handlerFunc) (*response, error) {
	app, err := queryID(r, "application")
	if err != nil {
		return nil, err
	}
	if app != "" {
		if err := s.ownsApplication(r, org, app); err != nil {
			return nil, err
		}
		return h(r)
	}
	apps, err := s.store.ListApplications(r.Context(), org)
	if err != nil {
		return nil, err
	}
	out := []deviceJSON{}
	for _, a := range apps {
		ds, err := s.store.ListDevices(r.Context(), a.ID)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			out = append(out, deviceOut(d))
		}
	}
	slices.SortFunc(out, func(a, b deviceJSON) int { return strings.Compare(a.DevEUI, b.DevEUI) })
	return ok(out)
}

// ownRoutePath: /routes/{id} of the key's organisation.
func ownRoutePath(s *server, r *http.Request, org string, h handlerFunc) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	rt, err := s.store.GetRoute(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && rt.Organisation != org {
		return nil, notFound("route", id)
	}
	if err != nil {
		return nil, err
	}
	return h(r)
}

// peekBody decodes the JSON body into dst, ignoring unknown fields, and
// leaves the body in place for the endpoint, which decodes it strictly. A
// body the endpoint would refuse is refused here with the same status.
func peekBody(r *http.Request, dst any) error {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return badRequest("read request body: %v", err)
	}
	if len(raw) > maxBody {
		return errorf(http.StatusRequestEntityTooLarge, "request body over %d bytes", maxBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	if err := json.Unmarshal(raw, dst); err != nil {
		return badRequest("request body is not the expected JSON object: %v", err)
	}
	return nil
}
