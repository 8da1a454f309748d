package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/soisnode/soisnode/node"
)

func runServe(ctx context.Context, e *Env, args []string) error {
	fs := newFlags("serve", e)
	listen := fs.String("listen", "", "address to listen on (SOIS_LISTEN, default 127.0.0.1:8080)")
	dbURL := fs.String("database-url", "", "sqlite://path or postgres://… (SOIS_DATABASE_URL, default sqlite://./data/sois.db)")
	public := fs.String("public-url", "", "the URL callers use (SOIS_PUBLIC_URL)")
	model := fs.String("model", "", "model name for gemini / openai (SOIS_MODEL)")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	cfg, err := config(e)
	if err != nil {
		return err
	}
	cfg.Listen = first(*listen, cfg.Listen)
	cfg.DatabaseURL = first(*dbURL, cfg.DatabaseURL)
	cfg.PublicURL = first(*public, cfg.PublicURL)
	cfg.Model = first(*model, cfg.Model)
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
	stop()
	grace := cfg.ShutdownWaitOrDefault()
	log.Info("shutting down: finishing the work in hand; a second signal exits at once", "grace", grace.String())
	again := make(chan os.Signal, 1)
	signal.Notify(again, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(again)
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-again:
			log.Warn("second signal: exiting now, without finishing the work in hand")
			os.Exit(1)
		case <-finished:
		}
	}()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	return n.Shutdown(sctx)
}
