package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

// applicationJSON is an application in requests and responses.
type applicationJSON struct {
	ID           string    `json:"id"`
	Organisation string    `json:"organisation"`
	Name         string    `json:"name"`
	CreatedAt    time.Time `json:"created_at"`
	// The webhook secret is never sent back; webhook_secret_set says
	// whether there is one.
	WebhookURL       string `json:"webhook_url,omitempty"`
	WebhookSecretSet bool   `json:"webhook_secret_set"`
	Codec            string `json:"codec,omitempty"`
}

func applicationOut(a router.Application) applicationJSON {
	return applicationJSON{ID: a.ID, Organisation: a.Organisation, Name: a.Name, CreatedAt: a.CreatedAt,
		WebhookURL: a.WebhookURL, WebhookSecretSet: a.WebhookSecret != "", Codec: a.Codec}
}

func (s *server) createApplication(r *http.Request) (*response, error) {
	var in struct {
		ID           string `json:"id"`
		Organisation string `json:"organisation"`
		Name         string `json:"name"`
		integrationIn
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if err := in.integrationIn.check(); err != nil {
		return nil, err
	}
	if err := checkID("id", in.ID); err != nil {
		return nil, err
	}
	if err := checkID("organisation", in.Organisation); err != nil {
		return nil, err
	}
	a := router.Application{ID: in.ID, Organisation: in.Organisation, Name: in.Name, CreatedAt: s.clock.Now().UTC(),
		WebhookURL: in.WebhookURL, WebhookSecret: in.WebhookSecret, Codec: in.Codec}
	err := s.store.CreateApplication(r.Context(), a)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(http.StatusNotFound, "organisation %s does not exist; create it first", in.Organisation)
	}
	if err != nil {
		return nil, err
	}
	return created(applicationOut(a))
}

func (s *server) listApplications(r *http.Request) (*response, error) {
	org, err := queryID(r, "organisation")
	if err != nil {
		return nil, err
	}
	as, err := s.store.ListApplications(r.Context(), org)
	if err != nil {
		return nil, err
	}
	out := make([]applicationJSON, len(as))
	for i, a := range as {
		out[i] = applicationOut(a)
	}
	return ok(out)
}

func (s *server) getApplication(r *http.Request) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	a, err := s.store.GetApplication(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return ok(applicationOut(a))
}

func (s *server) deleteApplication(r *http.Request) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteApplication(r.Context(), id); err != nil {
		return nil, err
	}
	return noContent()
}
