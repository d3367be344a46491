package api

import (
	"net/url"

	"github.com/hexnet/hexnet/router"
)

// integrationIn are an application's integration settings.
type integrationIn struct {
	WebhookURL    string `json:"webhook_url"`
	WebhookSecret string `json:"webhook_secret"`
	Codec         string `json:"codec"`
}

func (in integrationIn) check() error {
	if in.WebhookURL != "" {
		u, err := url.Parse(in.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return badRequest(`"webhook_url" must be an absolute http or https URL`)
		}
	}
	if in.WebhookSecret != "" && in.WebhookURL == "" {
		return badRequest(`"webhook_secret" needs a "webhook_url"`)
	}
	switch in.Codec {
	case router.CodecNone, router.CodecCayenne:
	default:
		return badRequest(`"codec" must be "" or %q`, router.CodecCayenne)
	}
	return nil
}
