// Command benchbase serves the hand-written POST /api/agent baseline
// (package benchbase) for BenchmarkMemory, which compares its resident
// memory and throughput with `soisnode serve`.
//
//	benchbase -db sqlite:///tmp/x.db -listen 127.0.0.1:9000
//	benchbase -db … -one WORKSPACE_ID,MEMBER_ID,KEY_ID   # one INSERT, no credential check
//
// The database must already have soisnode's schema (`soisnode init`).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/soisnode/soisnode/testbed/benchbase"
)

func main() {
	db := flag.String("db", "", "database URL (sqlite://… or postgres://…)")
	listen := flag.String("listen", "127.0.0.1:8090", "address to listen on")
	one := flag.String("one", "", "workspace,member,key ids: store each message with one INSERT for these ids, no credential check")
	flag.Parse()
	var ids *benchbase.IDs
	if *one != "" {
		parts := strings.Split(*one, ",")
		if len(parts) != 3 {
			fmt.Fprintln(os.Stderr, "benchbase: -one wants workspace,member,key ids")
			os.Exit(2)
		}
		ids = &benchbase.IDs{WorkspaceID: parts[0], MemberID: parts[1], KeyID: parts[2]}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := benchbase.Serve(ctx, *db, *listen, ids); err != nil {
		fmt.Fprintln(os.Stderr, "benchbase:", err)
		os.Exit(1)
	}
}
