package a2a_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

type pushed struct {
	header http.Header
	body   []byte
}

// TestPushNotifications: a push config given with the message, and one
// added to a task later, each receive the stopped task through the durable
// webhook queue — signed (Sois-Signature), with the token and the
// authentication the config asked for. Secrets are not read back.
func TestPushNotifications(t *testing.T) {
	got := make(chan pushed, 8)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- pushed{header: r.Header.Clone(), body: body}
	}))
	defer recv.Close()
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), WebhookAllowHosts: []string{"127.0.0.1"}})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	cl := client(t, n, c, spec.TransportProtocolJSONRPC)
	ctx := context.Background()
	keys, err := verify.ParseJWKS(n.Do("GET", "/.well-known/jwks.json", testbed.Creds{}, nil).Body)
	if err != nil {
		t.Fatal(err)
	}

	req := request("Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com", "", "", true)
	req.Config.PushConfig = &spec.PushConfig{URL: recv.URL + "/hook", Token: "tok-123",
		Auth: &spec.PushAuthInfo{Scheme: "Bearer", Credentials: "receiver-secret"}}
	res, err := cl.SendMessage(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	task := res.(*spec.Task)
	p := wait(t, got)
	if p.header.Get("A2A-Notification-Token") != "tok-123" || p.header.Get("Authorization") != "Bearer receiver-secret" {
		t.Fatalf("push headers %v", p.header)
	}
	if _, err := verify.Detached(ctx, keys, p.header.Get(verify.HeaderSignature), p.body, 0, time.Now()); err != nil {
		t.Fatalf("push signature: %v", err)
	}
	var sr spec.StreamResponse
	if err := json.Unmarshal(p.body, &sr); err != nil {
		t.Fatalf("push body %s: %v", p.body, err)
	}
	pushedTask, ok := sr.Event.(*spec.Task)
	if !ok || pushedTask.ID != task.ID || pushedTask.Status.State != spec.TaskStateCompleted || reply(pushedTask) == "" {
		t.Fatalf("pushed %s", p.body)
	}

	// Configs are read back without their secrets.
	list, err := cl.ListTaskPushConfigs(ctx, &spec.ListTaskPushConfigRequest{TaskID: task.ID})
	if err != nil || len(list) != 1 || list[0].Token == "tok-123" || list[0].Auth.Credentials == "receiver-secret" || list[0].URL != recv.URL+"/hook" {
		t.Fatalf("push configs: %+v %v", list, err)
	}

	// A config added to a task that asks a question gets the answer's outcome.
	send(t, cl, "Create a contact for Jane Smith, CTO of Initech, jane.smith@initech.example", "", "", false)
	ask := send(t, cl, "Update Jane's phone to +44 20 7946 0000", "", "", false)
	if ask.Status.State != spec.TaskStateInputRequired {
		t.Fatalf("ask: %s", ask.Status.State)
	}
	if _, err := cl.CreateTaskPushConfig(ctx, &spec.PushConfig{TaskID: ask.ID, ID: "later", URL: recv.URL + "/later"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CreateTaskPushConfig(ctx, &spec.PushConfig{TaskID: ask.ID, URL: "https://192.168.0.10/hook"}); err == nil {
		t.Fatal("a push config to a private address was accepted")
	}
	send(t, cl, "the one at Acme", "", string(ask.ID), true)
	p = wait(t, got)
	if err := json.Unmarshal(p.body, &sr); err != nil {
		t.Fatal(err)
	}
	if later := sr.Event.(*spec.Task); later.ID != ask.ID || later.Status.State != spec.TaskStateCompleted || p.header.Get("Authorization") != "" {
		t.Fatalf("later push %s %v", p.body, p.header)
	}
	if err := cl.DeleteTaskPushConfig(ctx, &spec.DeleteTaskPushConfigRequest{TaskID: ask.ID, ID: "later"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.GetTaskPushConfig(ctx, &spec.GetTaskPushConfigRequest{TaskID: ask.ID, ID: "later"}); err == nil {
		t.Fatal("a deleted push config is still there")
	}
}

func wait(t *testing.T, ch chan pushed) pushed {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(30 * time.Second):
		t.Fatal("no push notification arrived")
		return pushed{}
	}
}
