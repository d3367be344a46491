package hotspot

import "testing"

func TestAckRatio(t *testing.T) {
	tests := []struct {
		acked   uint64
		dropped map[string]uint64
		want    float64
	}{
		{0, nil, 1},
		{10, nil, 1},
		{3, map[string]uint64{DropPublishFailed: 1}, 0.75},
		{1, map[string]uint64{DropQueueBudget: 2, DropQueueFull: 1, DropCRCBad: 100}, 0.25},
		{0, map[string]uint64{DropQueueWrite: 1}, 0},
	}
	for _, tc := range tests {
		if got := ackRatio(tc.acked, tc.dropped); got != tc.want {
			t.Errorf("ackRatio(%d, %v) = %v, want %v", tc.acked, tc.dropped, got, tc.want)
		}
	}
}
