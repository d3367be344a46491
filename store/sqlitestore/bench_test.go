package sqlitestore_test

import (
	"path/filepath"
	"testing"

	"github.com/hexnet/hexnet/store/sqlitestore"
	"github.com/hexnet/hexnet/store/storetest"
)

func BenchmarkRecordFrames(b *testing.B) {
	b.Run("file", func(b *testing.B) {
		storetest.BenchmarkRecordFrames(b, openTest(b, filepath.Join(b.TempDir(), "hexnet.db")))
	})
	b.Run("memory", func(b *testing.B) {
		storetest.BenchmarkRecordFrames(b, openTest(b, sqlitestore.Memory))
	})
}

func BenchmarkAddReports(b *testing.B) {
	b.Run("file", func(b *testing.B) {
		storetest.BenchmarkAddReports(b, openTest(b, filepath.Join(b.TempDir(), "hexnet.db")))
	})
	b.Run("memory", func(b *testing.B) {
		storetest.BenchmarkAddReports(b, openTest(b, sqlitestore.Memory))
	})
}
