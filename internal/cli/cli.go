// Package cli is what every hexnet binary's main shares: loading its config
// struct, the `config` subcommand, logging setup and a signal-bound context.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hexnet/hexnet/config"
)

// Command is a subcommand: it gets the arguments after its name.
type Command func(args []string) error

// Program describes a binary.
type Program struct {
	Name   string
	Config any // pointer to the config struct with defaults filled in
	// Run starts the daemon with the loaded config; ctx ends on SIGINT/SIGTERM.
	Run func(ctx context.Context, args []string) error
	// Commands are extra subcommands (besides `config`).
	Commands map[string]Command
	Stdout   io.Writer
	Stderr   io.Writer
}

// Main runs the program with os.Args and exits with its status.
func (p Program) Main() {
	os.Exit(p.Exec(os.Args[1:]))
}

// Exec runs the program and returns the process exit status: 0 on success,
// 2 for a configuration error, 1 for a failure while running.
func (p Program) Exec(args []string) int {
	if p.Stdout == nil {
		p.Stdout = os.Stdout
	}
	if p.Stderr == nil {
		p.Stderr = os.Stderr
	}
	if len(args) > 0 {
		if cmd, ok := p.Commands[args[0]]; ok {
			return p.status(cmd(args[1:]))
		}
		if args[0] == "config" {
			return p.printConfig(args[1:])
		}
	}
	rest, err := config.Load(p.Name, p.Config, args, p.Stderr)
	if err != nil {
		return p.configError(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return p.status(p.Run(ctx, rest))
}

func (p Program) printConfig(args []string) int {
	if _, err := config.Load(p.Name, p.Config, args, p.Stderr); err != nil {
		return p.configError(err)
	}
	return p.status(config.Print(p.Stdout, p.Name, p.Config))
}

func (p Program) configError(err error) int {
	if config.IsHelp(err) {
		return 0
	}
	fmt.Fprintf(p.Stderr, "%s: %v\n", p.Name, err)
	return 2
}

func (p Program) status(err error) int {
	if err == nil || errors.Is(err, context.Canceled) {
		return 0
	}
	fmt.Fprintf(p.Stderr, "%s: %v\n", p.Name, err)
	var fe *config.FieldError
	if errors.As(err, &fe) {
		return 2
	}
	return 1
}

// Logger builds a text logger at the named level (debug, info, warn, error).
func Logger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, config.Errorf("log_level", "%q is not one of debug, info, warn, error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
