package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/gagliardetto/solana-go/rpc"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/payout"
	"github.com/hexnet/hexnet/oracle/verify"
	"github.com/hexnet/hexnet/store/backend"
)

// runEpochVerify recomputes an epoch from the stored signed reports and
// checks its root against the stored one and the memos on chain.
func runEpochVerify(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("epoch verify", flag.ContinueOnError)
	db := fs.String("db", "", "the oracle's store: postgres://… or sqlite://PATH")
	solanaRPC := fs.String("solana-rpc", "", "a Solana JSON-RPC endpoint to read the reward memos from (optional)")
	oracleAddr := fs.String("oracle", "", "the oracle's address: only challenges it signed count")
	grace := fs.Duration("grace", 10*time.Second, "the oracle's grace period after each epoch")
	emission := fs.Uint64("emission", oracle.DefaultEmission, "reward per epoch in base units")
	n, rest, err := epochArg(args)
	if err != nil {
		return err
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	if *db == "" || !identity.Address(*oracleAddr).Valid() {
		return fmt.Errorf("%w: epoch verify N --db URL --oracle ADDRESS [--solana-rpc URL]", errUsage)
	}
	st, err := backend.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	schedule, err := scheduleOf(ctx, st, n, *grace)
	if err != nil {
		return err
	}
	rules := oracle.DefaultRules(identity.Address(*oracleAddr))
	rules.Emission = *emission
	var chain payout.RPC
	if *solanaRPC != "" {
		chain = rpc.New(*solanaRPC)
	}
	r, err := verify.Epoch(ctx, st, chain, schedule, rules, n)
	if err != nil {
		return err
	}
	return report(e, r)
}

func epochArg(args []string) (uint64, []string, error) {
	if len(args) == 0 {
		return 0, nil, fmt.Errorf("%w: epoch verify N: which epoch?", errUsage)
	}
	n, err := strconv.ParseUint(args[0], 10, 64)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: epoch %q is not a number", errUsage, args[0])
	}
	return n, args[1:], nil
}

// scheduleOf reads the epoch's bounds from the store: length = end −
// start, genesis = start − n·length.
func scheduleOf(ctx context.Context, st oracle.Store, n uint64, grace time.Duration) (oracle.Schedule, error) {
	e, err := st.GetEpoch(ctx, n)
	if err != nil {
		return oracle.Schedule{}, fmt.Errorf("epoch %d: %w", n, err)
	}
	length := e.End.Sub(e.Start)
	return oracle.Schedule{Genesis: e.Start.Add(-time.Duration(n) * length), Length: length, Grace: grace}, nil
}

func report(e *env, r verify.Result) error {
	fmt.Fprintf(e.stdout, "epoch %d (%s): %d reports re-judged with every signature checked\n", r.Epoch, r.Status, r.Reports)
	fmt.Fprintf(e.stdout, "  recomputed root %s\n  stored root     %s\n", r.Root, r.StoredRoot)
	fmt.Fprintf(e.stdout, "  memos on chain  %d transaction(s) checked\n", r.Transactions)
	if r.OK() {
		fmt.Fprintln(e.stdout, "OK: the epoch verifies")
		return nil
	}
	for _, p := range r.Problems {
		fmt.Fprintln(e.stdout, "  problem:", p)
	}
	return fmt.Errorf("epoch %d does not verify (%d problem(s))", r.Epoch, len(r.Problems))
}
