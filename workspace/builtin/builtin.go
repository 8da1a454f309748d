// Package builtin lists the declarations of every built-in workspace tool
// family in one place, for what reads declarations without running tools:
// the docs/tools.md table (DocTable) and the test that every declared
// schema matches its argument struct. The node registers the same
// families, with their running services, in node/assemble.go.
package builtin

import (
	"slices"

	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
	"github.com/soisnode/soisnode/workspace/email"
	"github.com/soisnode/soisnode/workspace/extensions"
	"github.com/soisnode/soisnode/workspace/files"
	"github.com/soisnode/soisnode/workspace/org"
	"github.com/soisnode/soisnode/workspace/tasks"
)

// Declarations are the built-in tools in docs order (contacts, tasks,
// email, files, org, extensions, peers). Their Run functions are bound to
// no service: read them, never run them.
func Declarations() []workspace.Tool {
	return slices.Concat(contacts.Tools(), tasks.Tools(), email.New(email.Config{}).Tools(),
		(*files.Service)(nil).Tools(), org.Tools(), extensions.Tools(nil),
		(*negotiation.Service)(nil).AgentTools())
}
