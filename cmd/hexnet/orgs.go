package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

const (
	usageOrgAdd     = "org add --id ID [--name NAME] [--api URL]"
	usageAppAdd     = "app add --id ID --org ORG [--name NAME] [--api URL]"
	usageBalanceAdd = "balance add --org ORG --dc N [--api URL]"
)

func runOrgAdd(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("org add")
	id := fs.String("id", "", "organisation ID (letters, digits, . _ -)")
	name := fs.String("name", "", "display name")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(usageOrgAdd, map[string]string{"id": *id}); err != nil {
		return err
	}
	return callRouter(ctx, e, http.MethodPost, *api, "/organisations", map[string]string{"id": *id, "name": *name})
}

func runOrgList(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("org list")
	if err := parse(fs, args); err != nil {
		return err
	}
	return callRouter(ctx, e, http.MethodGet, *api, "/organisations", nil)
}

// deleteByID is the delete command of a collection ("organisations", …).
func deleteByID(name, collection string) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		fs, api := routerFlags(name)
		id := fs.String("id", "", "the ID to delete")
		if err := parse(fs, args); err != nil {
			return err
		}
		if err := required(name+" --id ID [--api URL]", map[string]string{"id": *id}); err != nil {
			return err
		}
		if err := callRouter(ctx, e, http.MethodDelete, *api, "/"+collection+"/"+url.PathEscape(*id), nil); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "deleted %s\n", *id)
		return nil
	}
}

func runAppAdd(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("app add")
	id := fs.String("id", "", "application ID: appears in MQTT topics hexnet/app/{ID}/…")
	org := fs.String("org", "", "the organisation that pays for the application's traffic")
	name := fs.String("name", "", "display name")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(usageAppAdd, map[string]string{"id": *id, "org": *org}); err != nil {
		return err
	}
	return callRouter(ctx, e, http.MethodPost, *api, "/applications", map[string]string{"id": *id, "organisation": *org, "name": *name})
}

func runAppList(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("app list")
	org := fs.String("org", "", "only this organisation's applications")
	if err := parse(fs, args); err != nil {
		return err
	}
	return callRouter(ctx, e, http.MethodGet, *api, "/applications"+query("organisation", *org), nil)
}

func runBalanceAdd(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("balance add")
	org := fs.String("org", "", "the organisation to fund")
	dc := fs.Int64("dc", 0, "data credits to add")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(usageBalanceAdd, map[string]string{"org": *org}); err != nil {
		return err
	}
	if *dc <= 0 {
		return fmt.Errorf("%w: --dc %d: want a positive number of data credits", errUsage, *dc)
	}
	return callRouter(ctx, e, http.MethodPost, *api, "/organisations/"+url.PathEscape(*org)+"/credits", map[string]int64{"dc": *dc})
}

func runBalanceShow(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("balance show")
	org := fs.String("org", "", "an organisation: its balance and latest charges; empty lists every balance")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *org == "" {
		return callRouter(ctx, e, http.MethodGet, *api, "/balances", nil)
	}
	return callRouter(ctx, e, http.MethodGet, *api, "/organisations/"+url.PathEscape(*org)+"/credits", nil)
}
