package node

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/soisnode/soisnode/a2a"
	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/negotiator"
	"github.com/soisnode/soisnode/apidocs"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/console"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/mcp"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
	"github.com/soisnode/soisnode/workspace/email"
	"github.com/soisnode/soisnode/workspace/extensions"
	"github.com/soisnode/soisnode/workspace/files"
	"github.com/soisnode/soisnode/workspace/org"
	"github.com/soisnode/soisnode/workspace/tasks"
)

// Version is the node's version, shown in the OpenAPI document.
const Version = "0.1.0"

// assemble builds every part of the node, in dependency order.
func (n *Node) assemble(ctx context.Context) error {
	if err := Migrate(ctx, n.db); err != nil {
		return err
	}
	if err := n.assembleSigning(ctx); err != nil {
		return err
	}
	n.registry = workspace.NewRegistry(n.db, n.now)
	if err := n.addTools(); err != nil {
		return err
	}
	n.assembleNegotiation()
	provider, pricer, err := n.provider(ctx)
	if err != nil {
		return err
	}
	n.freeProvider = provider.Name() == "local"
	provider = meteredProvider{Provider: provider, pricer: pricer, m: n.domain}
	n.budgets = budget.New(n.db, n.now, budget.Options{
		HoldTTL: n.cfg.TurnTimeout + 5*time.Minute, Logger: n.log, OnThreshold: n.onThreshold, OnRefusal: n.domain.budgetRefusal,
	})
	n.stops = append(n.stops, func(context.Context) error { n.budgets.Close(); return nil })
	n.background = append(n.background, n.budgets.Run)
	if !n.freeProvider {
		// With a model, every negotiation turn is the model's, within the
		// exchange's cap and (opening side) the key's budgets.
		n.negotiations.Agent = &negotiator.Agent{Provider: provider, Pricer: pricer, Budgets: n.budgets, DB: n.db, Now: n.now}
	}
	n.runner = &agent.Runner{
		DB: n.db, Registry: n.registry, Provider: provider, Pricer: pricer, Budgets: n.budgets,
		Log: n.log, Now: n.now, MaxSteps: n.cfg.MaxSteps, TurnTimeout: n.cfg.TurnTimeout,
		Signer: n.keys, NodeID: n.nodeID, OnFinish: n.onTurnFinished, Done: n.turnDone, RolledBack: n.turnRolledBack,
		Waiters: map[string]agent.Waiter{negotiation.ToolNegotiate: n.negotiations.Waiter()},
	}
	if !n.freeProvider {
		// A model re-reads the whole history every call: older turns go
		// compacted. The local agent reads earlier results verbatim.
		n.runner.Compact = &agent.DefaultCompaction
	}
	if n.cfg.RescueAfter <= n.cfg.TurnTimeout {
		return fmt.Errorf("node: SOIS_RESCUE_AFTER (%v) must be longer than SOIS_TURN_TIMEOUT (%v), or a running turn could be started twice", n.cfg.RescueAfter, n.cfg.TurnTimeout)
	}
	// A turn stops itself at TurnTimeout and then records its outcome; its
	// job gets a minute's grace for that, but no more than RescueAfter:
	// River refuses a job timeout above it, and rescues no job younger than
	// its timeout, so a short RescueAfter resumes a crashed turn promptly.
	n.queue, err = queue.New(n.db, queue.Config{
		Workers: n.cfg.Workers, JobTimeout: min(n.cfg.TurnTimeout+time.Minute, n.cfg.RescueAfter), RescueAfter: n.cfg.RescueAfter, Logger: n.log,
		GiveUp: n.runner.GiveUp, Register: n.negotiations.Register,
	}, n.runner.Run)
	if err != nil {
		return err
	}
	n.addFederationSweeps()
	n.negotiations.Jobs = negotiation.RiverJobs{Insert: n.queue.Insert}
	n.negotiations.Lane = n.queue // answers run at once here; River after a crash or when no slot is free
	if err := n.assembleConsole(); err != nil {
		return err
	}
	n.assembleHTTP()
	n.a2a = n.newA2A()
	if err := n.a2a.SealLegacy(ctx); err != nil {
		return err
	}
	n.handler = n.routes()
	return nil
}

// addTools registers the workspace's built-in tools and extension sources.
func (n *Node) addTools() error {
	getenv := n.cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	smtp, err := email.ConfigFromEnv(getenv)
	if err != nil {
		return err
	}
	n.files = &files.Service{MaxSize: n.cfg.MaxFileSize, Now: n.now}
	n.registry.Add(contacts.Tools()...)
	n.registry.Add(tasks.Tools()...)
	n.registry.Add(org.Tools()...)
	n.registry.Add(n.files.Tools()...)
	n.registry.Add(email.New(smtp).Tools()...)
	ext := extensions.NewSource(n.db, extensions.Options{})
	n.registry.AddSource(ext)
	n.registry.Add(extensions.Tools(ext)...)
	return nil
}

// assembleHTTP builds the OAuth server of /mcp and the HTTP operations
// (package httpapi) over the node's services.
func (n *Node) assembleHTTP() {
	cimd := n.guard // client ID metadata documents are fetched like webhooks: public https only
	cimd.Subject = "client_id"
	n.oauth = &oauth.Server{Store: n.oauthStore(), Sessions: n.consentSessions(), Log: n.log,
		BaseURL:     func() string { return n.cfg.BaseURL() }, // known once the node listens
		FetchClient: oauth.NewFetchClient(cimd.Transport(5 * time.Second)), CheckFetchURL: cimd.CheckURL}
	n.http = httpapi.New(httpapi.Deps{
		DB: n.db, Log: n.log, Now: n.now,
		Config: httpapi.Config{
			Version: Version, NodeName: n.cfg.NodeName, NodeID: n.nodeID, BaseURL: func() string { return n.cfg.BaseURL() },
			MaxAgentBody: n.cfg.MaxAgentBody, MaxFileSize: n.cfg.MaxFileSize,
			MaxBacklog: n.cfg.MaxBacklog, MaxQueueAge: n.cfg.MaxQueueAge, MaxQueuedPerKey: n.cfg.MaxQueuedPerKey,
		},
		Prepare:      func() httpapi.Accept { return n.queue.Prepare() },
		Accepts:      n.accepts,
		Budgets:      n.budgets,
		FreeProvider: n.freeProvider,
		Deliveries:   n.deliveries, Dispatcher: n.dispatcher, Files: n.files, Negotiations: n.negotiations,
		Keys: n.keys, OAuth: n.oauth,
		TurnCanceled: n.domain.turnCanceled, EnvelopeRejected: n.fedm.federationRejected,
	})
	n.metrics.reg.MustRegister(n.http.Backlog())
}

func (n *Node) routes() http.Handler {
	mux := http.NewServeMux()
	n.api = httpapi.NewAPI(mux, Version)
	n.http.Register(n.api)
	n.http.Mount(mux)
	mux.Handle("GET /metrics", n.metrics.handler(n.log))
	docs := apidocs.Handler("/docs", "soisnode API Reference", "/openapi.yaml")
	mux.Handle("/docs", docs)
	mux.Handle("/docs/", docs)
	a2aHandler := n.a2a.Handler()
	mux.Handle(a2a.Path, a2aHandler)
	mux.Handle(a2a.Path+"/", a2aHandler)
	mux.Handle(console.Path, n.console)
	mux.Handle(console.Path+"/", n.console)
	n.oauth.Mount(mux)
	mux.Handle("/mcp", mcp.NewHandler(n.registry, n.http.MCPCaller, mcp.Options{Name: "soisnode", Version: Version, Logger: n.log,
		AllowedHosts: n.mcpHosts, OnCall: n.domain.toolCall, Challenge: n.http.MCPChallenge}))
	return httpapi.MediaTypeCase(n.logRequests(mux))
}
