package a2a_test

import (
	"context"
	"testing"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2aclient"
	"github.com/a2aproject/a2a-go/v2/a2aclient/agentcard"

	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// headers is the client interceptor that sends soisnode's two
// credentials. (a2a-go's AuthInterceptor sends one scheme per request; the
// card requires both together.)
type headers struct {
	a2aclient.PassthroughInterceptor
	token, key string
}

func (h headers) Before(ctx context.Context, req *a2aclient.Request) (context.Context, any, error) {
	req.ServiceParams["Authorization"] = []string{"Bearer " + h.token}
	req.ServiceParams["X-Api-Key"] = []string{h.key}
	return ctx, nil, nil
}

// client resolves the node's card with a2a-go and returns a client that
// authenticates as c over the given binding.
func client(t *testing.T, n *testbed.Node, c testbed.Creds, binding spec.TransportProtocol) *a2aclient.Client {
	t.Helper()
	ctx := context.Background()
	card, err := agentcard.DefaultResolver.Resolve(ctx, n.URL())
	if err != nil {
		t.Fatalf("resolve card: %v", err)
	}
	cl, err := a2aclient.NewFromCard(ctx, card,
		a2aclient.WithConfig(a2aclient.Config{PreferredTransports: []spec.TransportProtocol{binding}}),
		a2aclient.WithCallInterceptors(headers{token: c.Token, key: c.APIKey}))
	if err != nil {
		t.Fatalf("a2a client: %v", err)
	}
	t.Cleanup(func() { _ = cl.Destroy() })
	return cl
}

// send sends text as a new user message (in contextID / taskID when set).
func send(t *testing.T, cl *a2aclient.Client, text, contextID, taskID string, now bool) *spec.Task {
	t.Helper()
	res, err := cl.SendMessage(context.Background(), request(text, contextID, taskID, now))
	if err != nil {
		t.Fatalf("SendMessage(%q): %v", text, err)
	}
	task, ok := res.(*spec.Task)
	if !ok {
		t.Fatalf("SendMessage(%q) returned %T, want a task", text, res)
	}
	return task
}

func request(text, contextID, taskID string, now bool) *spec.SendMessageRequest {
	m := spec.NewMessage(spec.MessageRoleUser, spec.NewTextPart(text))
	m.ContextID, m.TaskID = contextID, spec.TaskID(taskID)
	return &spec.SendMessageRequest{Message: m, Config: &spec.SendMessageConfig{ReturnImmediately: now}}
}

// reply is the text of a task's status message.
func reply(t *spec.Task) string {
	if t.Status.Message == nil || len(t.Status.Message.Parts) == 0 {
		return ""
	}
	return t.Status.Message.Parts[0].Text()
}
