package pgstore_test

import (
	"testing"

	"github.com/hexnet/hexnet/store/pgstore/pgtest"
	"github.com/hexnet/hexnet/store/storetest"
)

func BenchmarkRecordFrames(b *testing.B) {
	storetest.BenchmarkRecordFrames(b, pgtest.Open(b))
}

func BenchmarkAddReports(b *testing.B) {
	storetest.BenchmarkAddReports(b, pgtest.Open(b))
}
