package update

import "errors"

// Why an update was not applied; compare with errors.Is. Each has a reason
// label (Reason) for logs and hexnet_update_checks_total.
var (
	ErrFetch        = errors.New("update: release source unreachable")
	ErrBadSignature = errors.New("update: manifest signature is not the release key's")
	ErrMalformed    = errors.New("update: manifest is malformed")
	ErrDowngrade    = errors.New("update: manifest version is older than the running one")
	ErrUpToDate     = errors.New("update: manifest version is the running one")
	ErrUnversioned  = errors.New("update: the running binary has no semantic version (a development build); it is never replaced")
	ErrNoArtifact   = errors.New("update: manifest has no binary for this platform")
	ErrOversize     = errors.New("update: artifact is larger than the limit")
	ErrSizeMismatch = errors.New("update: downloaded artifact's size differs from the manifest")
	ErrHashMismatch = errors.New("update: downloaded artifact's sha256 differs from the manifest")
	ErrInstall      = errors.New("update: could not install the new binary")
)

var reasons = []struct {
	err    error
	reason string
}{
	{ErrFetch, "fetch_failed"},
	{ErrBadSignature, "bad_signature"},
	{ErrMalformed, "malformed"},
	{ErrDowngrade, "downgrade"},
	{ErrUpToDate, "up_to_date"},
	{ErrUnversioned, "unversioned"},
	{ErrNoArtifact, "no_artifact"},
	{ErrOversize, "oversize"},
	{ErrSizeMismatch, "size_mismatch"},
	{ErrHashMismatch, "hash_mismatch"},
	{ErrInstall, "install_failed"},
}

// Reason is the short label of a Check error ("applied" for nil, "other"
// for an error of no known kind).
func Reason(err error) string {
	if err == nil {
		return "applied"
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return "other"
}
