// Command soisnode is a self-hosted agent federation node. See README.md.
package main

import (
	"context"
	"os"

	"github.com/soisnode/soisnode/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin}))
}
