// Command testbed runs multi-node scenarios (testbed/scenarios) and the
// negotiation-quality benchmark; docs/testbed.md describes both.
//
//	go run ./testbed/cmd/testbed run [-scale small|full] [-out DIR] FILE
//	go run ./testbed/cmd/testbed quality [-games 50] [-format md|json]
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/soisnode/soisnode/testbed/quality"
	"github.com/soisnode/soisnode/testbed/runner"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: testbed run [-scale small|full] [-out DIR] FILE | testbed quality [-games N] [-format md|json]")
		return 2
	}
	switch args[0] {
	case "run":
		return runner.RunCommand(ctx, "go run ./testbed/cmd/testbed", args[1:], os.Stdout, os.Stderr)
	case "quality":
		return quality.Command(ctx, "go run ./testbed/cmd/testbed", args[1:], os.Stdout, os.Stderr)
	case "-h", "--help", "help":
		fmt.Println("usage: testbed run [-scale small|full] [-out DIR] FILE | testbed quality [-games N] [-format md|json]")
		return 0
	}
	fmt.Fprintf(os.Stderr, "testbed: unknown command %q\n", args[0])
	return 2
}
