// Package workspace is the domain a node serves: members and their roles,
// and the workspace tools (contacts, tasks, email, files, org chart,
// extensions) behind one Registry that the agent loop, the MCP server and
// tests all use. Permissions are enforced here, in code, for every caller.
package workspace

import (
	"slices"
	"strings"
)

// Role is a member's role in a workspace.
type Role string

// Roles, from most to least powerful.
const (
	Owner  Role = "owner"
	Admin  Role = "admin"
	Member Role = "member"
	Viewer Role = "viewer"
)

// ValidRole reports whether r is one of the four roles.
func ValidRole(r Role) bool {
	return r == Owner || r == Admin || r == Member || r == Viewer
}

// Caller is who is calling a tool: a member, through an integration key.
// The agent acts as this member, narrowed by the key's scopes.
type Caller struct {
	WorkspaceID string
	MemberID    string
	Role        Role
	KeyID       string   // empty for calls not made through a key (CLI, tests)
	Scopes      []string // empty: no narrowing beyond the role
}

// Effect is what a tool does to the workspace.
type Effect int

// Effects, in increasing order of harm.
const (
	Read Effect = iota
	Write
	Destroy
)

func (e Effect) String() string {
	switch e {
	case Read:
		return "read"
	case Write:
		return "write"
	default:
		return "destroy"
	}
}

// roleAllows reports whether a role may perform an effect at all.
func roleAllows(r Role, e Effect) bool {
	switch r {
	case Owner, Admin, Member:
		return true
	case Viewer:
		return e == Read
	}
	return false
}

// ScopeAllows reports whether granted scopes cover the needed scope.
// A grant matches exactly, by family wildcard ("contacts:*"), or "*".
// An empty grant list allows everything (the role still limits).
func ScopeAllows(granted []string, need string) bool {
	if len(granted) == 0 {
		return true
	}
	family, _, _ := strings.Cut(need, ":")
	return slices.ContainsFunc(granted, func(g string) bool {
		return g == "*" || g == need || g == family+":*"
	})
}

// Allows reports whether c may call a tool needing scope and having effect e.
func (c Caller) Allows(scope string, e Effect) bool {
	return roleAllows(c.Role, e) && ScopeAllows(c.Scopes, scope)
}
