package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

func runDeliveries(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 {
		return usagef("deliveries list [--status S] [--json] | deliveries show ID | deliveries redeliver ID")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("deliveries "+sub, e)
	wsFlag := fs.String("workspace", "", "workspace id (default SOIS_WORKSPACE, else every workspace)")
	asJSON := fs.Bool("json", false, "print JSON")
	status := fs.String("status", "", "list: only pending, delivered, dead or disabled deliveries")
	limit := fs.Int("limit", 50, "list: at most this many, newest first (max 500)")
	before := fs.String("before", "", "list: only deliveries older than this id (the last id of the previous page)")
	pos, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		if len(pos) != 0 {
			return usagef("deliveries list [--status pending|delivered|dead|disabled] [--json] [--workspace ID]")
		}
		if *status != "" && !webhook.Status(*status).Valid() {
			return usagef("--status must be pending, delivered, dead or disabled")
		}
		if *limit <= 0 || *limit > 500 {
			return usagef("--limit must be 1 to 500")
		}
	case "show", "redeliver":
		if len(pos) != 1 {
			return usagef("deliveries %s ID", sub)
		}
	default:
		return usagef("unknown deliveries command %q (list, show, redeliver)", sub)
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	ws, err := optionalWorkspace(ctx, e, db, *wsFlag)
	if err != nil {
		return err
	}
	q := webhook.NewQueue(db, e.Now)
	switch sub {
	case "list":
		ds, err := q.List(ctx, webhook.Filter{WorkspaceID: ws, Status: webhook.Status(*status), Before: *before, Limit: *limit})
		if err != nil {
			return err
		}
		views := make([]httpapi.DeliveryView, 0, len(ds))
		for _, d := range ds {
			views = append(views, httpapi.ViewDelivery(d))
		}
		if *asJSON {
			return printJSON(e.Stdout, views)
		}
		return printDeliveries(e.Stdout, views, ws == "")
	case "show":
		d, attempts, err := q.Get(ctx, ws, pos[0])
		if err != nil {
			return err
		}
		detail := httpapi.ViewDeliveryDetail(d, attempts)
		if *asJSON {
			return printJSON(e.Stdout, detail)
		}
		return printDelivery(e.Stdout, detail)
	default: // redeliver
		if err := q.Redeliver(ctx, ws, pos[0]); err != nil {
			return err
		}
		if *asJSON {
			d, attempts, err := q.Get(ctx, ws, pos[0])
			if err != nil {
				return err
			}
			return printJSON(e.Stdout, httpapi.ViewDeliveryDetail(d, attempts))
		}
		fmt.Fprintf(e.Stdout, "Delivery %s queued for redelivery with the same delivery id; a running node sends it within seconds.\n", pos[0])
		return nil
	}
}

// optionalWorkspace is --workspace or SOIS_WORKSPACE, checked, or "" for
// every workspace: deliveries are an operator's queue across the node.
func optionalWorkspace(ctx context.Context, e *Env, q store.Querier, flagValue string) (string, error) {
	if flagValue == "" && e.Getenv("SOIS_WORKSPACE") == "" {
		return "", nil
	}
	return pickWorkspace(ctx, e, q, flagValue)
}

func printDeliveries(w io.Writer, views []httpapi.DeliveryView, allWorkspaces bool) error {
	if len(views) == 0 {
		fmt.Fprintln(w, "No deliveries.")
		return nil
	}
	tw := newTable(w)
	head := "ID\tEVENT\tSTATUS\tATTEMPTS\tLAST\tNEXT ATTEMPT\tCREATED\tURL"
	if allWorkspaces {
		head = "WORKSPACE\t" + head
	}
	fmt.Fprintln(tw, head)
	for _, v := range views {
		if allWorkspaces {
			fmt.Fprintf(tw, "%s\t", v.WorkspaceID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", v.ID, v.Event, v.Status, v.Attempts,
			lastOutcome(v.LastStatus, v.LastError), stamp(v.NextAttemptAt), stamp(&v.CreatedAt), v.URL)
	}
	return tw.Flush()
}

func printDelivery(w io.Writer, d httpapi.DeliveryDetail) error {
	tw := newTable(w)
	for _, row := range [][2]string{
		{"Delivery", d.ID}, {"Workspace", d.WorkspaceID}, {"Key", d.KeyID}, {"Event", d.Event}, {"URL", d.URL},
		{"Status", d.Status}, {"Attempts", strconv.Itoa(d.Attempts) + " in the current schedule"},
		{"Next attempt", stamp(d.NextAttemptAt)}, {"Created", stamp(&d.CreatedAt)}, {"Updated", stamp(&d.UpdatedAt)},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(d.AttemptLog) == 0 {
		fmt.Fprintln(w, "\nNo attempts yet.")
		return nil
	}
	fmt.Fprintln(w)
	tw = newTable(w)
	fmt.Fprintln(tw, "#\tAT\tSTATUS\tLATENCY\tRESPONSE\tERROR")
	for _, a := range d.AttemptLog {
		code := "-"
		if a.StatusCode != 0 {
			code = strconv.Itoa(a.StatusCode)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", a.Attempt, stamp(&a.At), code,
			(time.Duration(a.LatencyMS) * time.Millisecond).String(), oneLine(a.Response, 60), oneLine(a.Error, 60))
	}
	return tw.Flush()
}

func lastOutcome(status int, errText string) string {
	switch {
	case status != 0:
		return strconv.Itoa(status)
	case errText != "":
		return "error: " + oneLine(errText, 40)
	}
	return "-"
}

// oneLine shortens s to n runes on one line, for tables. Control and bidi
// characters become '?': a response comes from the receiver, and must not
// carry terminal escape sequences to the operator's screen.
func oneLine(s string, n int) string {
	s = printable(strings.Join(strings.Fields(s), " "), false)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

// printable replaces control and bidi characters with '?' (keeping line
// breaks and tabs when multiline), so text from outside — a webhook
// receiver's answer, a model's reply — cannot drive the operator's terminal.
func printable(s string, multiline bool) string {
	return strings.Map(func(r rune) rune {
		if multiline && (r == '\n' || r == '\t') {
			return r
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return '?'
		}
		return r
	}, s)
}
