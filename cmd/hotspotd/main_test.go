package main

// Contract tests of the hotspotd binary: they build it once and run it as a
// service manager would, checking only what outside tools rely on
// (arguments, exit codes, files, MQTT topics, datagrams and database rows).

import (
	"os"
	"testing"

	"github.com/hexnet/hexnet/internal/proctest"
)

const waitFor = proctest.WaitFor

// bin is the hotspotd built by TestMain.
var bin proctest.Binary

func TestMain(m *testing.M) { os.Exit(proctest.Main(m, "hotspotd", &bin)) }

func execute(t *testing.T, args ...string) proctest.Result { return bin.Execute(t, args...) }

func start(t *testing.T, args ...string) *proctest.Proc { return bin.Start(t, args...) }
