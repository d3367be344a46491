package pgstore_test

import (
	"testing"

	"github.com/hexnet/hexnet/store/pgstore/pgtest"
	"github.com/hexnet/hexnet/store/storetest"
)

func BenchmarkRecordFrames(b *testing.B) {
	storetest.BenchmarkRecordFrames(b, pgtest.Open(b))
}
