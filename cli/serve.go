package cli

import (
	"context"
	"os/signal"
	"syscall"

	"github.com/soisnode/soisnode/node"
)

func runServe(ctx context.Context, e *Env, args []string) error {
	fs := newFlags("serve", e)
	listen := fs.String("listen", "", "address to listen on (SOIS_LISTEN, default 127.0.0.1:8080)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config(e)
	if err != nil {
		return err
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	return serve(ctx, e, cfg, nil)
}

// serve runs a node until SIGINT/SIGTERM, then shuts it down gracefully.
// ready, when set, runs once the node accepts connections.
func serve(ctx context.Context, e *Env, cfg node.Config, ready func(n *node.Node)) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := logger(e)
	n, err := node.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	if err := n.Start(ctx); err != nil {
		return err
	}
	if ready != nil {
		ready(n)
	}
	<-ctx.Done()
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownWaitOrDefault())
	defer cancel()
	return n.Shutdown(sctx)
}
