package storetest

import (
	"testing"
	"time"

	"github.com/hexnet/hexnet/router"
)

// testTimePrecision checks the documented precision: microseconds,
// truncated, returned in UTC, from any input location, for the zero time too.
func testTimePrecision(t *testing.T, s router.Store) {
	east := time.FixedZone("UTC+5:45", 5*3600+45*60)
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"nanoseconds truncated", time.Date(2026, 1, 1, 0, 0, 0, 999_999_999, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 999_999_000, time.UTC)},
		{"microseconds kept", time.Date(2026, 1, 1, 0, 0, 0, 1_000, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 1_000, time.UTC)},
		{"other zone", time.Date(2026, 1, 1, 5, 45, 0, 123_456_000, east), time.Date(2026, 1, 1, 0, 0, 0, 123_456_000, time.UTC)},
		{"before 1970", time.Date(1969, 12, 31, 23, 59, 59, 500_000_001, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 500_000_000, time.UTC)},
		{"zero", time.Time{}, time.Time{}},
		{"monotonic reading dropped", time.Now(), time.Time{}},
	}
	for i, tt := range tests {
		if tt.want.IsZero() && !tt.in.IsZero() {
			tt.want = tt.in.Truncate(time.Microsecond).UTC()
		}
		d := device(byte(i), "app")
		d.CreatedAt = tt.in
		mustCreate(t, s, d)
		got, err := s.GetDevice(t.Context(), d.DevEUI)
		if err != nil {
			t.Fatalf("%s: GetDevice: %v", tt.name, err)
		}
		if !got.CreatedAt.Equal(tt.want) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("%s: CreatedAt %v came back as %v, want %v", tt.name, tt.in, got.CreatedAt, tt.want)
		}
	}
}
