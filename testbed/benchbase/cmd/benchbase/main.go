// Command benchbase serves the hand-written POST /api/agent baseline
// (package benchbase) for BenchmarkMemory, which compares its resident
// memory and throughput with `soisnode serve`.
//
//	benchbase -db sqlite:///tmp/x.db -listen 127.0.0.1:9000
//
// The database must already have soisnode's schema (`soisnode init`).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/soisnode/soisnode/testbed/benchbase"
)

func main() {
	db := flag.String("db", "", "database URL (sqlite://… or postgres://…)")
	listen := flag.String("listen", "127.0.0.1:8090", "address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := benchbase.Serve(ctx, *db, *listen); err != nil {
		fmt.Fprintln(os.Stderr, "benchbase:", err)
		os.Exit(1)
	}
}
