package router

import (
	"context"
	"strings"

	"github.com/hexnet/hexnet/router/integration"
	"github.com/hexnet/hexnet/router/integration/cayenne"
)

// toWebhook also sends an application event (a message on
// hexnet/app/{app}/device/{devEUI}/event/{type}) to the application's
// webhook, when it has one. Other topics are ignored. Delivery is
// asynchronous (router/integration): a full webhook queue drops and counts.
func (r *Router) toWebhook(ctx context.Context, topic string, payload []byte) {
	parts := strings.Split(topic, "/")
	if len(parts) != 7 || parts[0] != "hexnet" || parts[1] != "app" || parts[5] != "event" {
		return
	}
	app, err := r.store.GetApplication(ctx, parts[2])
	if err != nil || app.WebhookURL == "" {
		return // unmetered devices have no application record
	}
	r.webhook.Send(integration.Delivery{URL: app.WebhookURL, Secret: app.WebhookSecret, Type: parts[6], Body: payload})
}

// object decodes an up payload with the device's application codec; nil
// without a codec or when the payload does not decode.
func (r *Router) object(ctx context.Context, d Device, data []byte) map[string]any {
	app, err := r.store.GetApplication(ctx, d.Application)
	if err != nil || app.Codec != CodecCayenne {
		return nil
	}
	obj, err := cayenne.Decode(data)
	if err != nil {
		r.log.Warn("cayenne decode failed", "dev_eui", d.DevEUI, "err", err)
		return nil
	}
	return obj
}
