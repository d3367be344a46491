package api

import "github.com/hexnet/hexnet/poc"

// explain is a verdict in plain words: what its reason means, then the
// numbers behind it.
func explain(reason, detail string) string {
	s := poc.Reason(reason).Explain()
	if detail == "" {
		return s
	}
	return s + " (" + detail + ")"
}
