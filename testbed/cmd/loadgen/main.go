// Command loadgen sends HTTP load and prints one JSON line of results
// (package loadgen): the load generator of the external-process benchmarks
// when wrk is not installed, and of the open-loop sweeps.
//
//	loadgen -url http://127.0.0.1:8080/api/agent -H 'X-Api-Key: …' \
//	        -body '{"message":"hi"}' -c 32 -d 5s [-rate 500] [-expect 202]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/soisnode/soisnode/testbed/loadgen"
)

type headers http.Header

func (h headers) String() string { return "" }

func (h headers) Set(v string) error {
	k, val, ok := strings.Cut(v, ":")
	if !ok {
		return fmt.Errorf("header %q: want 'Name: value'", v)
	}
	http.Header(h).Add(strings.TrimSpace(k), strings.TrimSpace(val))
	return nil
}

func main() {
	var cfg loadgen.Config
	h := headers{}
	flag.StringVar(&cfg.URL, "url", "", "the URL to send to")
	flag.StringVar(&cfg.Method, "method", "POST", "HTTP method")
	flag.Var(h, "H", "a header, 'Name: value' (repeatable)")
	body := flag.String("body", "", "the request body")
	contains := flag.String("contains", "", "every answer's body must contain this")
	flag.IntVar(&cfg.Conns, "c", 32, "connections (closed loop) or most requests in flight (open loop)")
	flag.DurationVar(&cfg.Duration, "d", 0, "how long to send, e.g. 5s")
	flag.Float64Var(&cfg.Rate, "rate", 0, "requests per second (open loop); 0: closed loop")
	flag.IntVar(&cfg.Expect, "expect", 0, "the status every answer must have (0: any 2xx)")
	flag.Parse()
	if cfg.URL == "" || cfg.Duration <= 0 {
		fmt.Fprintln(os.Stderr, "loadgen: -url and -d are required")
		os.Exit(2)
	}
	cfg.Header, cfg.Body = http.Header(h), []byte(*body)
	if *contains != "" {
		cfg.Contains = []byte(*contains)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := loadgen.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
}
